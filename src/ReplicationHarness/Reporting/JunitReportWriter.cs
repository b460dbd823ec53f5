using System.Globalization;
using System.Xml.Linq;
using ReplicationHarness.Results;

namespace ReplicationHarness.Reporting;

/// <summary>
/// Writes <c>junit.xml</c>: one testsuite per scenario, one testcase per check (each step's checks, then
/// the scenario's assertions), failures carrying the message a person needs. The shape Jenkins, GitLab
/// and GitHub's test-report parsers accept.
/// </summary>
internal static class JunitReportWriter
{
    /// <summary>The file's name in the report directory.</summary>
    public const string FileName = "junit.xml";

    /// <summary>Renders the report.</summary>
    public static string Render(RunReport report)
    {
        var suites = report.Scenarios.Select(Suite).ToList();
        var root = new XElement("testsuites",
            new XAttribute("name", "replication-harness"),
            new XAttribute("tests", suites.Sum(s => (int)s.Attribute("tests")!)),
            new XAttribute("failures", suites.Sum(s => (int)s.Attribute("failures")!)),
            new XAttribute("errors", suites.Sum(s => (int)s.Attribute("errors")!)),
            new XAttribute("skipped", suites.Sum(s => (int)s.Attribute("skipped")!)),
            new XAttribute("time", Seconds(report.DurationMs)),
            suites);
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root).Declaration + "\n" + root + "\n";
    }

    private static XElement Suite(ScenarioReport scenario)
    {
        var cases = new List<XElement>();
        if (scenario.Error is { } error && scenario.Steps.Count == 0)
            cases.Add(Case(scenario.Name, "scenario", "runs", 0, new XElement("error", new XAttribute("message", error), new XAttribute("type", "error"), error)));

        // CI servers group class names by their dots: a matrix's names hold some (settings.wal_compression).
        var classPrefix = scenario.Name.Replace('.', '_');
        foreach (var step in scenario.Steps)
        {
            var className = $"{classPrefix}.steps[{step.Index}] {step.Name}";
            if (step.Status is Verdict.Skipped)
            {
                cases.Add(Case(className, step.Action, "skipped", 0, new XElement("skipped", new XAttribute("message", step.Detail))));
                continue;
            }
            if (step.Status is Verdict.Error)
            {
                cases.Add(Case(className, step.Action, "runs", step.DurationMs, new XElement("error", new XAttribute("message", step.Detail), new XAttribute("type", "error"), step.Detail)));
                continue;
            }
            if (step.Checks.Count == 0)
            {
                // A step without checks still passed or failed as a whole.
                cases.Add(Case(className, step.Action, "completes", step.DurationMs, step.Status == Verdict.Failed ? Failure(step.Detail, step.Detail) : null));
                continue;
            }
            foreach (var check in step.Checks)
                cases.Add(Check(className, check, step.DurationMs / step.Checks.Count));
        }
        foreach (var assertion in scenario.Assertions)
            cases.Add(Check($"{classPrefix}.assertions", assertion, 0));

        var suite = new XElement("testsuite",
            new XAttribute("name", scenario.Name),
            new XAttribute("tests", cases.Count),
            new XAttribute("failures", cases.Count(c => c.Element("failure") is not null)),
            new XAttribute("errors", cases.Count(c => c.Element("error") is not null)),
            new XAttribute("skipped", cases.Count(c => c.Element("skipped") is not null)),
            new XAttribute("time", Seconds(scenario.DurationMs)),
            new XAttribute("file", scenario.File));
        var properties = new XElement("properties", new XElement("property", new XAttribute("name", "file"), new XAttribute("value", scenario.File)));
        if (scenario.Pair is { } pair)
        {
            properties.Add(new XElement("property", new XAttribute("name", "postgresql"), new XAttribute("value", pair.ServerVersion)));
            properties.Add(new XElement("property", new XAttribute("name", "provisioner"), new XAttribute("value", pair.Provisioner)));
            foreach (var caveat in pair.Fingerprint?.Caveats ?? [])
                properties.Add(new XElement("property", new XAttribute("name", "caveat"), new XAttribute("value", caveat)));
        }
        suite.Add(properties);
        suite.Add(cases);
        if (scenario.Faults is { Count: > 0 } faults)
        {
            // CI shows a suite's output beside its cases: what was injected and when explains a failure next to it.
            suite.Add(new XElement("system-out", "faults injected:\n" + string.Join("\n", faults.Select(f => string.Create(CultureInfo.InvariantCulture,
                $"{f.AtMs / 1000:0.###} s {(f.Step is { } i ? $"steps[{i}]" : "harness")} {f.Action} ({ReportText.Status(f.Status)}): {f.Detail}")))));
        }
        return suite;
    }

    private static XElement Check(string className, AssertionResult check, double milliseconds)
    {
        var (threshold, observed) = (MeasureText.Format(check.Threshold), MeasureText.Format(check.Observed));
        var name = $"{check.Name} {threshold}";
        return check.Status switch
        {
            Verdict.Failed => Case(className, name, null, milliseconds,
                Failure($"{check.Name} {threshold}, observed {observed}", $"threshold: {threshold}\nobserved: {observed}" + (check.Margin is { } margin ? $"\nmargin: {MeasureText.Format(margin)}" : ""))),
            Verdict.Skipped => Case(className, name, null, milliseconds, new XElement("skipped", new XAttribute("message", observed))),
            Verdict.Error => Case(className, name, null, milliseconds, new XElement("error", new XAttribute("message", observed), new XAttribute("type", "error"))),
            _ => Case(className, name, null, milliseconds, new XElement("system-out", $"observed: {observed}")),
        };
    }

    private static XElement Failure(string message, string body) =>
        new("failure", new XAttribute("message", message), new XAttribute("type", "threshold"), body);

    private static XElement Case(string className, string name, string? suffix, double milliseconds, XElement? outcome) =>
        new("testcase",
            new XAttribute("classname", className),
            new XAttribute("name", suffix is null ? name : $"{name} {suffix}"),
            new XAttribute("time", Seconds(milliseconds)),
            outcome);

    private static string Seconds(double milliseconds) => (milliseconds / 1000).ToString("0.000", CultureInfo.InvariantCulture);
}
