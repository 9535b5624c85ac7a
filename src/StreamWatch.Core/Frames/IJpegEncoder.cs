namespace StreamWatch.Core.Frames;

/// <summary>Encodes images to JPEG (snapshots over MQTT, image parts for OpenAI-compatible servers).</summary>
public interface IJpegEncoder
{
    /// <summary>Encodes an I420 image (Y plane, then U, then V at half resolution), with the
    /// overlay's outlines drawn over it when one is given.</summary>
    byte[] EncodeI420(ReadOnlySpan<byte> i420, int width, int height, int quality = 85, SnapshotOverlay? overlay = null);
}
