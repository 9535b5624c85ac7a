using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace StreamWatch.Core.Config;

/// <summary>
/// TLS to a server StreamWatch connects to (sections "Mqtt:Tls", "Cluster:Etcd:Tls"): the PEM CA
/// bundle that signed the server's certificate turns TLS on; a client certificate is optional.
/// </summary>
public sealed class TlsOptions : IValidatable
{
    /// <summary>Set to enable TLS: the PEM CA bundle that signed the server's certificate.</summary>
    public string? CaFile { get; set; }
    public string? CertFile { get; set; }
    public string? KeyFile { get; set; }
    public bool VerifyHostname { get; set; } = true;

    public bool Enabled => !string.IsNullOrEmpty(CaFile);

    public void Validate(string path, ConfigErrors errors)
    {
        if ((CertFile == null) != (KeyFile == null)) errors.Add($"{path}:CertFile", "CertFile and KeyFile go together");
        if (!Enabled && CertFile != null) errors.Add($"{path}:CaFile", "is required when a client certificate is set");
        foreach (var (key, file) in new[] { ("CaFile", CaFile), ("CertFile", CertFile), ("KeyFile", KeyFile) })
            if (file != null && !File.Exists(file)) errors.Add($"{path}:{key}", $"file not found: {file}");
    }

    /// <summary>The client certificate with a private key SslStream can use, or null when none is configured.</summary>
    public X509Certificate2? LoadClientCertificate()
    {
        if (CertFile == null) return null;
        // Re-imported as PKCS#12 so SslStream gets a certificate with a usable private key.
        using var pem = X509Certificate2.CreateFromPemFile(CertFile, KeyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A check of the server's certificate: its chain must end at CaFile's roots, its name match unless VerifyHostname is off.</summary>
    public Func<X509Certificate?, X509Chain?, SslPolicyErrors, bool> ServerValidator()
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(CaFile!);
        var verifyName = VerifyHostname;
        return (certificate, presented, errors) =>
        {
            if (certificate == null) return false;
            if (verifyName && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (presented != null) chain.ChainPolicy.ExtraStore.AddRange(presented.ChainElements.Select(c => c.Certificate).ToArray());
            using var cert = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            return chain.Build(cert);
        };
    }
}
