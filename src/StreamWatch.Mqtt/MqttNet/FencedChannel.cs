using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using StreamWatch.Core.Cluster;

namespace StreamWatch.Mqtt.MqttNet;

/// <summary>
/// The cluster fence at the socket. The publisher checks the fence when it hands a message to the
/// client, but the client writes it later (behind its send lock, after the messages before it): a node
/// paused (SIGSTOP) in between would send it on resume, after its lease expired. So a PUBLISH packet is
/// written only while the fence is open; one it refuses drops the connection, and the outbox, which has
/// no PUBACK for it, sends it again after the next lease. Other packets (CONNECT, PINGREQ, PUBACK) pass.
/// </summary>
internal sealed class FencedChannel(IMqttChannel inner, IPublishFence fence) : IMqttChannel
{
    private const byte PublishType = 3; // MQTT control packet type, the high nibble of the first byte
    private bool _atPacketStart = true; // writes come one at a time (the adapter's send lock)

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;
    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);
    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);
    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        if (_atPacketStart && !buffer.IsEmpty && buffer.FirstSpan[0] >> 4 == PublishType && !fence.MayPublish)
        {
            inner.Dispose(); // the client's read fails next: Disconnected, and the outbox resends
            throw new MqttCommunicationException("PUBLISH held back: the cluster lease may have expired");
        }
        _atPacketStart = isEndOfPacket;
        return inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);
    }

    public void Dispose() => inner.Dispose();
}

/// <summary>MQTTnet's own TCP (and TLS) client adapter, its channel wrapped in a <see cref="FencedChannel"/>.</summary>
internal sealed class FencedAdapterFactory(IPublishFence fence) : IMqttClientAdapterFactory
{
    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(new FencedChannel(new MqttTcpChannel(options), fence), formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }
}
