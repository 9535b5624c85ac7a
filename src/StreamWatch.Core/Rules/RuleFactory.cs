using StreamWatch.Core.Config;

namespace StreamWatch.Core.Rules;

/// <summary>Builds a camera's rules; zone polygons are rasterised onto the motion grid and the analysis frame once here.</summary>
public static class RuleFactory
{
    /// <exception cref="ConfigException">Unknown type or zone, or a zone that covers no grid cell.</exception>
    /// <param name="width">Analysis frame width in pixels.</param>
    /// <param name="height">Analysis frame height in pixels.</param>
    public static IRule Create(RuleOptions rule, IReadOnlyList<ZoneOptions> zones, int gridWidth, int gridHeight, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gridWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, gridWidth);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, gridHeight);
        if (rule.Type == RuleType.Motion)
            return new MotionRule(rule, RuleArea.WholeFrame(gridWidth, gridHeight, width, height));

        var zone = zones.FirstOrDefault(z => z.Name == rule.Zone)
            ?? throw Error(rule, $"names no zone of this camera ('{rule.Zone}')");
        var area = RuleArea.Of(zone.Name, Geometry.Polygon.Parse(zone.Polygon), gridWidth, gridHeight, width, height, rule.MinActiveFraction)
            ?? throw Error(rule, $"zone '{zone.Name}' covers no cell of the {gridWidth}x{gridHeight} motion grid; make it larger");
        return rule.Type switch
        {
            RuleType.Zone => new ZoneRule(rule, area),
            RuleType.Loiter => new LoiterRule(rule, area),
            RuleType.Direction => new DirectionRule(rule, area),
            _ => throw Error(rule, $"Type {ConfigErrors.OneOf<RuleType>()}"),
        };
    }

    private static ConfigException Error(RuleOptions rule, string why) => new([$"rule '{rule.Name}': {why}"]);
}
