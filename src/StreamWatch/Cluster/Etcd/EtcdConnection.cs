using System.Security.Cryptography.X509Certificates;
using Etcdserverpb;
using Grpc.Core;
using Grpc.Net.Client;

namespace StreamWatch.Cluster.Etcd;

/// <summary>
/// One etcd endpoint as the coordinator talks to it: a gRPC channel, over TLS when
/// <c>Cluster:Etcd:Tls:CaFile</c> is set (the server's chain checked against it, a client certificate
/// when given), and with <c>Cluster:Etcd:Username</c> the auth token every call carries. The token is
/// fetched on first use and again when etcd says it is no longer valid (etcd restarted, token expired).
/// </summary>
internal sealed class EtcdConnection : IDisposable
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(5);
    private readonly EtcdOptions _options;
    private volatile Metadata? _token;

    private EtcdConnection(string endpoint, EtcdOptions options, GrpcChannel channel) { Endpoint = endpoint; _options = options; Channel = channel; }

    public string Endpoint { get; }
    public GrpcChannel Channel { get; }

    public static EtcdConnection Open(string endpoint, EtcdOptions options)
    {
        var tls = options.Tls;
        if (!tls.Enabled) return new(endpoint, options, GrpcChannel.ForAddress(endpoint));
        var validate = tls.ServerValidator();
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) => validate(certificate, chain, errors);
        if (tls.LoadClientCertificate() is { } client) handler.SslOptions.ClientCertificates = new X509CertificateCollection { client };
        return new(endpoint, options, GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true }));
    }

    /// <summary>Options for a unary call: the token, a 5 s deadline.</summary>
    public CallOptions Unary(CancellationToken ct) => new(headers: _token, deadline: DateTime.UtcNow + CallTimeout, cancellationToken: ct);

    /// <summary>Options for a long-lived stream (keep-alive, watch): the token, no deadline.</summary>
    public CallOptions Stream(CancellationToken ct) => new(headers: _token, cancellationToken: ct);

    /// <summary>A unary call with the token; fetched first when missing, and once more if etcd refuses it.</summary>
    public async Task<T> CallAsync<T>(Func<CallInvoker, CallOptions, AsyncUnaryCall<T>> call, CancellationToken ct)
    {
        await AuthenticateAsync(ct);
        try { return await call(Channel.CreateCallInvoker(), Unary(ct)); }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && !string.IsNullOrEmpty(_options.Username))
        {
            Forget();
            await AuthenticateAsync(ct);
            return await call(Channel.CreateCallInvoker(), Unary(ct));
        }
    }

    /// <summary>Fetches a token when a user is configured and none is held. A refused user is an <see cref="EtcdAuthException"/>.</summary>
    public async Task AuthenticateAsync(CancellationToken ct)
    {
        if (string.IsNullOrEmpty(_options.Username) || _token != null) return;
        try
        {
            var r = await new Auth.AuthClient(Channel).AuthenticateAsync(
                new AuthenticateRequest { Name = _options.Username, Password = _options.ResolvePassword() ?? "" }, Unary(ct));
            _token = new Metadata { { "token", r.Token } };
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.PermissionDenied)
        {
            throw new EtcdAuthException($"etcd at {Endpoint} refused user '{_options.Username}' ({e.Status.Detail})");
        }
    }

    /// <summary>Drops the token after etcd refused it; the next call fetches a new one.</summary>
    public void Forget() => _token = null;

    public void Dispose() => Channel.Dispose();
}

/// <summary>etcd refused the configured user or password (never part of the message).</summary>
internal sealed class EtcdAuthException(string message) : Exception(message);
