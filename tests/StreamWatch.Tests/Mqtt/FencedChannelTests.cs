using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;
using MQTTnet.Exceptions;
using StreamWatch.Core.Cluster;
using StreamWatch.Mqtt.MqttNet;

namespace StreamWatch.Tests.Mqtt;

public sealed class FencedChannelTests
{
    private sealed class Fence : IPublishFence { public bool MayPublish { get; set; } = true; }

    /// <summary>Records what reaches the socket.</summary>
    private sealed class Recorder : IMqttChannel
    {
        public List<byte[]> Written { get; } = [];
        public bool Disposed { get; private set; }
        public X509Certificate2 ClientCertificate => null!;
        public EndPoint RemoteEndPoint => null!;
        public EndPoint LocalEndPoint => null!;
        public bool IsSecureConnection => false;
        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(0);
        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) { Written.Add(buffer.ToArray()); return Task.CompletedTask; }
        public void Dispose() => Disposed = true;
    }

    private static readonly byte[] PublishHeader = [0x32, 0x05], PublishPayload = [1, 2, 3], PingReq = [0xC0, 0x00], PubAck = [0x40, 0x02, 0, 1];

    private static (Fence, Recorder, FencedChannel) Open()
    {
        var fence = new Fence();
        var socket = new Recorder();
        return (fence, socket, new FencedChannel(socket, fence));
    }

    private static Task Write(FencedChannel c, byte[] bytes, bool end = true) => c.WriteAsync(new ReadOnlySequence<byte>(bytes), end, default);

    [Fact]
    public async Task A_publish_is_written_while_the_fence_is_open_and_refused_with_the_connection_dropped_once_it_is_closed()
    {
        var (fence, socket, channel) = Open();
        await Write(channel, PublishHeader, end: false);
        await Write(channel, PublishPayload);
        Assert.Equal(2, socket.Written.Count);

        fence.MayPublish = false;
        await Write(channel, PingReq);
        await Write(channel, PubAck);
        Assert.Equal(4, socket.Written.Count); // other packets pass
        Assert.False(socket.Disposed);

        await Assert.ThrowsAsync<MqttCommunicationException>(() => Write(channel, PublishHeader, end: false));
        Assert.Equal(4, socket.Written.Count);
        Assert.True(socket.Disposed);
    }

    [Fact]
    public async Task A_publish_whose_header_went_out_is_finished_and_a_payload_byte_like_a_publish_type_is_not_taken_for_a_packet()
    {
        var (fence, socket, channel) = Open();
        await Write(channel, PublishHeader, end: false);
        fence.MayPublish = false; // closes between header and payload: no half packet on the wire
        await Write(channel, [0x30, 0x31], end: false); // payload bytes that look like a PUBLISH header
        await Write(channel, PublishPayload);
        Assert.Equal(3, socket.Written.Count);
        Assert.False(socket.Disposed);
    }
}
