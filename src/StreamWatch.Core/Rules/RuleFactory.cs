using StreamWatch.Core.Config;

namespace StreamWatch.Core.Rules;

/// <summary>Builds a camera's rules; zone polygons are rasterised onto the motion grid once here.</summary>
public static class RuleFactory
{
    /// <exception cref="ConfigException">Unknown type or zone, or a zone that covers no grid cell.</exception>
    public static IRule Create(RuleOptions rule, IReadOnlyList<ZoneOptions> zones, int gridWidth, int gridHeight)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gridWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(gridHeight, 1);
        if (rule.Type == "motion")
            return new MotionRule(rule, new RuleArea(null, Enumerable.Range(0, gridWidth * gridHeight).ToArray(), gridWidth, gridHeight, 0));

        var zone = zones.FirstOrDefault(z => z.Name == rule.Zone)
            ?? throw Error(rule, $"names no zone of this camera ('{rule.Zone}')");
        var mask = new bool[gridWidth * gridHeight];
        Geometry.Polygon.Parse(zone.Polygon).Fill(mask, gridWidth, gridHeight);
        var cells = Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray();
        if (cells.Length == 0)
            throw Error(rule, $"zone '{zone.Name}' covers no cell of the {gridWidth}x{gridHeight} motion grid; make it larger");
        var area = new RuleArea(zone.Name, cells, gridWidth, gridHeight, rule.MinActiveFraction);
        return rule.Type switch
        {
            "zone" => new ZoneRule(rule, area),
            "loiter" => new LoiterRule(rule, area),
            "direction" => new DirectionRule(rule, area),
            _ => throw Error(rule, $"unknown type '{rule.Type}' (motion, zone, loiter or direction)"),
        };
    }

    private static ConfigException Error(RuleOptions rule, string why) => new([$"rule '{rule.Name}': {why}"]);
}
