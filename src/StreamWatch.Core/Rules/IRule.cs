using StreamWatch.Core.Config;
using StreamWatch.Core.Motion;

namespace StreamWatch.Core.Rules;

/// <summary>One rule's finding on one frame.</summary>
/// <param name="Rule">Rule name.</param>
/// <param name="Zone">Zone name, null for the whole-frame motion rule.</param>
/// <param name="Strength">Share of the rule's cells that are active, or of its zone's pixels that changed if that is more (0..1).</param>
/// <param name="DirectionDegrees">direction rule: mean flow direction, 0 = right, 90 = down, in [0, 360).</param>
/// <param name="MotionSince">Stream time the motion this hit reports began, when the rule knows it is
/// earlier than this frame (loiter: when the loitering began). An alert it opens adopts keyframes from then on.</param>
public readonly record struct RuleHit(string Rule, string? Zone, float Strength, float? DirectionDegrees, TimeSpan? MotionSince = null);

/// <summary>A rule that needs no model: decides from the motion grid of each analysed frame.</summary>
public interface IRule
{
    string Name { get; }
    RuleOptions Options { get; }

    /// <summary>
    /// Evaluates one analysed frame (call for every frame, in stream order; stateful rules track
    /// time by <paramref name="offset"/>). Allocation-free. Null when the rule does not trigger.
    /// </summary>
    RuleHit? Evaluate(MotionResult motion, bool gateOpen, TimeSpan offset);
}
