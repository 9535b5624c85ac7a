namespace StreamWatch.Core.Alerts;

/// <summary>The <c>reason</c> an alert event carries on the wire (JSONL and MQTT); most carry none.</summary>
public enum AlertReason
{
    /// <summary>A RequireVerification alert published without a verdict (<see cref="Alert.Unverified"/>).</summary>
    Unverified,
    /// <summary>The end queued after a restart for an alert the previous run left open.</summary>
    Restart,
    /// <summary>The end a camera's new cluster owner sends for an incident its previous owner left open (docs/scale.md).</summary>
    OwnerLost,
}

public static class AlertReasonText
{
    public static string Text(this AlertReason r) => r switch
    {
        AlertReason.Unverified => "unverified",
        AlertReason.Restart => "restart",
        AlertReason.OwnerLost => "owner-lost",
        _ => throw new ArgumentOutOfRangeException(nameof(r), r, null),
    };
}
