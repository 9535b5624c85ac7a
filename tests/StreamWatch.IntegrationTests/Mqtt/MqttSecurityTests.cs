using StreamWatch.Core.Alerts;
using StreamWatch.Core.Config;
using StreamWatch.IntegrationTests.Support;
using StreamWatch.Imaging;
using StreamWatch.Mqtt;
using static StreamWatch.IntegrationTests.Mqtt.MqttTestKit;

namespace StreamWatch.IntegrationTests.Mqtt;

/// <summary>TLS with openssl-made certificates, and username/password authentication.</summary>
public class MqttSecurityTests
{
    [Fact]
    public async Task Publishes_over_tls_with_a_verified_hostname_and_a_client_certificate()
    {
        var dir = Repo.TempDir("mqtt-tls");
        var (server, clientCert, clientKey) = await TestCertificates.MakeAsync(dir);
        await using var broker = await MosquittoBroker.StartAsync(tls: server, requireClientCertificate: true);
        await using var sub = broker.Subscribe("streamwatch/events", "tls-sub",
            extra: ["--cafile", server.CaFile, "--cert", clientCert, "--key", clientKey]);
        await broker.WaitSubscribedAsync("tls-sub");
        var options = Options(broker.Port, dir);
        options.Tls = new TlsOptions { CaFile = server.CaFile, CertFile = clientCert, KeyFile = clientKey, VerifyHostname = true };
        var log = new TestLog();
        var jpeg = new OpenCvJpegEncoder();
        await using var sink = new MqttSink(options, [Camera()], jpeg, log, TimeProvider.System);
        await sink.StartAsync(CancellationToken.None);
        await sink.HandleAsync(Alert("tls1", AlertPhase.New), default);
        await sub.WaitForLineAsync("\"id\":\"tls1\"", Wait);
        Assert.Contains(log.Lines, l => l.Contains("TLS on"));

        // A broker certificate from an unknown CA is a clear, retried error, not a crash.
        var other = Path.Combine(dir, "other");
        await TestCertificates.MakeCaAsync(other, "Other CA");
        var bad = Options(broker.Port, other, "tls-bad");
        bad.Tls = new TlsOptions { CaFile = Path.Combine(other, "ca.crt"), CertFile = clientCert, KeyFile = clientKey };
        var badLog = new TestLog();
        await using var badSink = new MqttSink(bad, [Camera()], jpeg, badLog, TimeProvider.System);
        await badSink.StartAsync(CancellationToken.None);
        await badLog.WaitForAsync("(?i)certificate verify failed|MQTT connection .* failed: .*TLS");
        await badSink.HandleAsync(Alert("queued-while-bad", AlertPhase.New), default);
        Assert.False(badSink.Connected);
        Assert.Equal(2, badSink.OutboxDepth); // snapshot + event wait in the outbox
    }

    [Fact]
    public async Task A_wrong_password_is_a_clear_logged_error_that_is_retried_and_the_password_is_never_logged()
    {
        await using var broker = await MosquittoBroker.StartAsync(auth: ("sw", "right-horse-battery"));
        var dir = Repo.TempDir("mqtt-auth");
        var log = new TestLog();
        var jpeg = new OpenCvJpegEncoder();
        var wrong = Options(broker.Port, dir, "auth-wrong");
        wrong.Username = "sw";
        wrong.Password = "wrong-staple-secret";
        await using (var sink = new MqttSink(wrong, [Camera()], jpeg, log, TimeProvider.System))
        {
            await sink.StartAsync(CancellationToken.None);
            await log.WaitForAsync("(?i)MQTT connection .* failed: .*(not authori[sz]ed|bad user name or password)");
            await sink.HandleAsync(Alert("kept", AlertPhase.New), default); // still accepting work
            // retried: the broker sees the client come back after the backoff
            await broker.WaitForLineAsync("disconnected, not authori", occurrence: 2);
            Assert.False(sink.Connected);
        }
        Assert.DoesNotContain(log.Lines, l => l.Contains("wrong-staple-secret"));

        var pwFile = Path.Combine(dir, "mqtt.pw");
        await File.WriteAllTextAsync(pwFile, "right-horse-battery\n");
        var right = Options(broker.Port, dir, "auth-right");
        right.Username = "sw";
        right.PasswordFile = pwFile;
        await using var sub = broker.Subscribe("streamwatch/events", "auth-sub", extra: ["-u", "sw", "-P", "right-horse-battery"]);
        await broker.WaitSubscribedAsync("auth-sub");
        var log2 = new TestLog();
        await using var ok = new MqttSink(right, [Camera()], jpeg, log2, TimeProvider.System);
        await ok.StartAsync(CancellationToken.None);
        // the alert queued while the password was wrong is delivered by the next run of the same outbox
        await sub.WaitForLineAsync("\"id\":\"kept\"", Wait);
        Assert.DoesNotContain(log2.Lines, l => l.Contains("right-horse-battery"));
    }
}
