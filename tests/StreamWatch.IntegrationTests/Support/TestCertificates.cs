namespace StreamWatch.IntegrationTests.Support;

/// <summary>Certificates a test generated with openssl: a CA and a server certificate for 127.0.0.1/localhost.</summary>
public sealed record TlsFiles(string CaFile, string CertFile, string KeyFile);

/// <summary>Certificates made with openssl for TLS tests: a CA, a server certificate for 127.0.0.1/localhost and a client certificate.</summary>
public static class TestCertificates
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    public static async Task Openssl(string dir, params string[] args)
    {
        await using var p = ChildProcess.Start("openssl", args, workDir: dir);
        if (await p.WaitExitAsync(Wait) != 0) throw new InvalidOperationException("openssl " + string.Join(' ', args) + ":\n" + p.Output);
    }

    /// <summary>A self-signed CA alone (ca.crt, ca.key) in <paramref name="dir"/>, e.g. one the server does not know.</summary>
    public static async Task<string> MakeCaAsync(string dir, string name = "StreamWatch Test CA")
    {
        Directory.CreateDirectory(dir);
        await Openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name, "-keyout", "ca.key", "-out", "ca.crt");
        return Path.Combine(dir, "ca.crt");
    }

    /// <summary>
    /// A CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA.
    /// The client certificate has no CN: etcd's JSON gateway refuses a client certificate with a CN once
    /// users are on ("CommonName of client sending a request against gateway will be ignored").
    /// </summary>
    public static async Task<(TlsFiles Server, string ClientCert, string ClientKey)> MakeAsync(string dir)
    {
        await MakeCaAsync(dir);
        File.WriteAllText(Path.Combine(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
        await Openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr");
        await Openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.crt");
        await Openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/O=StreamWatch test client", "-keyout", "client.key", "-out", "client.csr");
        await Openssl(dir, "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", "client.crt");
        string F(string n) => Path.Combine(dir, n);
        return (new TlsFiles(F("ca.crt"), F("server.crt"), F("server.key")), F("client.crt"), F("client.key"));
    }
}
