using System.Runtime.InteropServices;

namespace StreamWatch.Mqtt.Mosquitto;

/// <summary>libmosquitto.so.1 (Debian libmosquitto1, 2.0.x); signatures from mosquitto.h.</summary>
internal static unsafe partial class MosquittoNative
{
    private const string Lib = "libmosquitto.so.1";

    public const int ErrSuccess = 0, ErrNoConn = 4, ErrConnRefused = 5, ErrErrno = 14;
    public const int OptProtocolVersion = 1;
    public const int ProtocolV311 = 4, ProtocolV5 = 5;
    public const int LogWarning = 1 << 2, LogErr = 1 << 3;

    [LibraryImport(Lib, EntryPoint = "mosquitto_lib_init")] public static partial int LibInit();
    [LibraryImport(Lib, EntryPoint = "mosquitto_new", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint New(string id, [MarshalAs(UnmanagedType.U1)] bool cleanSession, nint obj);
    [LibraryImport(Lib, EntryPoint = "mosquitto_destroy")] public static partial void Destroy(nint mosq);
    [LibraryImport(Lib, EntryPoint = "mosquitto_int_option")] public static partial int IntOption(nint mosq, int option, int value);
    [LibraryImport(Lib, EntryPoint = "mosquitto_threaded_set")] public static partial int ThreadedSet(nint mosq, [MarshalAs(UnmanagedType.U1)] bool threaded);
    [LibraryImport(Lib, EntryPoint = "mosquitto_max_inflight_messages_set")] public static partial int MaxInflightSet(nint mosq, uint max);
    [LibraryImport(Lib, EntryPoint = "mosquitto_will_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WillSet(nint mosq, string topic, int payloadLen, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain);
    [LibraryImport(Lib, EntryPoint = "mosquitto_username_pw_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UsernamePwSet(nint mosq, string? username, string? password);
    [LibraryImport(Lib, EntryPoint = "mosquitto_tls_set", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TlsSet(nint mosq, string? cafile, string? capath, string? certfile, string? keyfile, nint pwCallback);
    [LibraryImport(Lib, EntryPoint = "mosquitto_tls_insecure_set")] public static partial int TlsInsecureSet(nint mosq, [MarshalAs(UnmanagedType.U1)] bool value);
    [LibraryImport(Lib, EntryPoint = "mosquitto_connect", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Connect(nint mosq, string host, int port, int keepalive);
    [LibraryImport(Lib, EntryPoint = "mosquitto_reconnect", SetLastError = true)] public static partial int Reconnect(nint mosq);
    [LibraryImport(Lib, EntryPoint = "mosquitto_disconnect")] public static partial int Disconnect(nint mosq);
    [LibraryImport(Lib, EntryPoint = "mosquitto_loop", SetLastError = true)] public static partial int Loop(nint mosq, int timeoutMs, int maxPackets);
    [LibraryImport(Lib, EntryPoint = "mosquitto_publish", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Publish(nint mosq, int* mid, string topic, int payloadLen, byte* payload, int qos, [MarshalAs(UnmanagedType.U1)] bool retain);
    [LibraryImport(Lib, EntryPoint = "mosquitto_strerror")] public static partial nint StrError(int err);
    [LibraryImport(Lib, EntryPoint = "mosquitto_connack_string")] public static partial nint ConnackString(int code);
    [LibraryImport(Lib, EntryPoint = "mosquitto_reason_string")] public static partial nint ReasonString(int code);

    [LibraryImport(Lib, EntryPoint = "mosquitto_connect_callback_set")]
    public static partial void ConnectCallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, int, void> cb);
    [LibraryImport(Lib, EntryPoint = "mosquitto_disconnect_callback_set")]
    public static partial void DisconnectCallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, int, void> cb);
    [LibraryImport(Lib, EntryPoint = "mosquitto_publish_v5_callback_set")]
    public static partial void PublishV5CallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, int, int, nint, void> cb);
    [LibraryImport(Lib, EntryPoint = "mosquitto_log_callback_set")]
    public static partial void LogCallbackSet(nint mosq, delegate* unmanaged[Cdecl]<nint, nint, int, nint, void> cb);

    /// <summary>Text for a libmosquitto error; MOSQ_ERR_ERRNO uses errno captured by the call.</summary>
    public static string ErrorText(int rc, int errno = 0) => rc == ErrErrno
        ? Marshal.GetPInvokeErrorMessage(errno)
        : Marshal.PtrToStringUTF8(StrError(rc)) ?? $"error {rc}";

    /// <summary>Text for a CONNACK code: MQTT 5 reason codes are >= 128, 3.1.1 return codes 1..5.</summary>
    public static string ConnackText(int code, int protocol) =>
        Marshal.PtrToStringUTF8(protocol == ProtocolV5 ? ReasonString(code) : ConnackString(code)) ?? $"code {code}";
}
