namespace StreamWatch.Core.Alerts;

/// <summary>The <c>reason</c> an alert event carries on the wire (JSONL and MQTT); most carry none.</summary>
public enum AlertReason
{
    /// <summary>A RequireVerification alert published without a verdict (<see cref="Alert.Unverified"/>).</summary>
    Unverified,
    /// <summary>The end queued after a restart for an alert the previous run left open.</summary>
    Restart,
}

public static class AlertReasonText
{
    public static string Text(this AlertReason r) => r switch
    {
        AlertReason.Unverified => "unverified",
        AlertReason.Restart => "restart",
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, null),
    };
}
