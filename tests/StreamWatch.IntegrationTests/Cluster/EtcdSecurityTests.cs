using System.Text.Json.Nodes;
using StreamWatch.IntegrationTests.Daemon;
using StreamWatch.IntegrationTests.Support;

namespace StreamWatch.IntegrationTests.Cluster;

/// <summary>
/// A real etcd on https that asks every client for a certificate (--client-cert-auth) and has its
/// users on: the node user may read and write under the cluster prefix only.
/// </summary>
public sealed class EtcdSecurityTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private const string User = "node-a", Password = "etcd-node-pw-7781", Prefix = "/swsec";

    /// <summary>The Cluster section with TLS and a user; <paramref name="cert"/> null: no client certificate.</summary>
    private static string Cluster(EtcdServer etcd, string caFile, (string Cert, string Key)? cert, int ttl = 10)
    {
        var tls = new JsonObject { ["CaFile"] = caFile };
        if (cert is { } c) { tls["CertFile"] = c.Cert; tls["KeyFile"] = c.Key; }
        var cluster = new JsonObject
        {
            ["Enabled"] = true, ["Node"] = "a", ["LeaseTtlSeconds"] = ttl, ["Prefix"] = Prefix,
            ["Etcd"] = new JsonObject { ["Endpoints"] = new JsonArray(etcd.Endpoint), ["Tls"] = tls, ["Username"] = User, ["PasswordEnv"] = "SW_TEST_ETCD_PW" },
        };
        return """, "Store": {"Enabled": false}, "Cluster": """ + cluster.ToJsonString();
    }

    private static async Task<EtcdServer> SecuredEtcdAsync(string dir)
    {
        var (server, clientCert, clientKey) = await TestCertificates.MakeAsync(dir);
        var etcd = await EtcdServer.StartAsync(server, (clientCert, clientKey));
        await etcd.EnableAuthAsync(User, Password, Prefix + "/");
        return etcd;
    }

    [Fact]
    public async Task A_node_joins_over_tls_with_its_certificate_and_user_keeps_working_over_an_etcd_restart_and_never_shows_the_password()
    {
        var dir = Repo.TempDir("etcd-sec");
        try
        {
            var clip = await TestClips.MovingBoxAsync(dir, seconds: 4);
            await using var etcd = await SecuredEtcdAsync(dir);
            var env = new Dictionary<string, string?> { ["SW_TEST_ETCD_PW"] = Password };
            await using var a = await DaemonProcess.StartAsync(ClusterConfig.Cameras(clip, 2), env,
                Cluster(etcd, Path.Combine(dir, "ca.crt"), (Path.Combine(dir, "client.crt"), Path.Combine(dir, "client.key"))));

            var claims = await ClusterConfig.WaitClaimsAsync(etcd, Prefix, c => c.Count == 2, Wait);
            Assert.All(claims.Values, v => Assert.Equal("a", v));
            Assert.Contains("TLS with a client certificate, user node-a", a.Process.Output);

            // etcd forgets its auth tokens when it restarts: the node fetches a new one and goes on.
            await etcd.StopAsync();
            await etcd.StartAgainAsync();
            await ClusterConfig.WaitClaimsAsync(etcd, Prefix, c => c.Count == 2 && c.Values.All(v => v == "a"), Wait);
            var metrics = (await a.GetAsync("metrics")).Body;
            Assert.Contains("streamwatch_cluster_lease_valid 1", metrics);

            Assert.Equal(0, await a.StopAsync());
            // Release and revoke are writes that need a valid token: nothing is left to expire with the TTL.
            Assert.Empty(await etcd.GetPrefixAsync(Prefix + "/"));
            Assert.DoesNotContain(Password, a.Process.Output);
            Assert.DoesNotContain(Password, metrics);
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public async Task A_wrong_password_a_missing_client_certificate_or_an_unknown_ca_is_exit_69_naming_the_key_and_never_the_password()
    {
        var dir = Repo.TempDir("etcd-sec69");
        try
        {
            await using var etcd = await SecuredEtcdAsync(dir);
            var ca = Path.Combine(dir, "ca.crt");
            var cert = (Path.Combine(dir, "client.crt"), Path.Combine(dir, "client.key"));
            var otherCa = await TestCertificates.MakeCaAsync(Path.Combine(dir, "other"), "Other CA");

            var wrong = await RunAsync(dir, Cluster(etcd, ca, cert), "not-" + Password);
            Assert.Equal(69, wrong.Code);
            Assert.Contains("Cluster:Etcd:Username", wrong.Output);
            Assert.Contains($"refused user '{User}'", wrong.Output);
            Assert.DoesNotContain(Password, wrong.Output);

            foreach (var (cluster, why) in new[] { (Cluster(etcd, ca, null), "no client certificate"), (Cluster(etcd, otherCa, cert), "unknown CA") })
            {
                var refused = await RunAsync(dir, cluster, Password);
                Assert.True(refused.Code == 69, $"{why}: exit {refused.Code}\n{refused.Output}");
                Assert.Contains("Cluster:Etcd:Endpoints", refused.Output);
                Assert.DoesNotContain(Password, refused.Output);
                Assert.DoesNotContain("   at ", refused.Output); // no stack trace
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    private static async Task<(int Code, string Output)> RunAsync(string dir, string cluster, string password)
    {
        var config = Path.Combine(dir, "config.json");
        await File.WriteAllTextAsync(config, $$"""
            {"Cameras": [], "Output": {"StateDirectory": "{{Path.Combine(dir, "state")}}"},
             "Observability": {"Listen": "127.0.0.1:{{FreePort.Get()}}"} {{cluster}} }
            """);
        await using var p = ChildProcess.Start("dotnet", [Repo.DaemonDll, "run", "--config", config], workDir: dir,
            env: new Dictionary<string, string?> { ["SW_TEST_ETCD_PW"] = password });
        return (await p.WaitExitAsync(Wait), p.Output);
    }
}
