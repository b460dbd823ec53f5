using PublicApiGenerator;
using ReplicationHarness.Tests.Support;
using ReplicationHarness.Xunit;

namespace ReplicationHarness.Tests.Api;

/// <summary>
/// The packages' public API is the one listed beside each project: a change to it (a type made public by accident, a
/// parameter renamed) fails here until the listing is updated with it, so it is seen in review.
/// </summary>
public class PublicApiTests
{
    [Theory]
    [InlineData("ReplicationHarness")]
    [InlineData("ReplicationHarness.Xunit")]
    public void The_public_api_is_the_one_listed(string project)
    {
        var assembly = project == "ReplicationHarness" ? typeof(ReplicationPairBuilder).Assembly : typeof(ReplicationPairFixture).Assembly;
        var actual = assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            ExcludeAttributes = ["System.Runtime.CompilerServices.InternalsVisibleToAttribute", "System.Runtime.Versioning.TargetFrameworkAttribute"],
        }).ReplaceLineEndings("\n");
        var listed = Path.Combine(RepositoryRoot.Path, "src", project, "PublicAPI.txt");
        var expected = File.Exists(listed) ? File.ReadAllText(listed).ReplaceLineEndings("\n") : "";

        if (actual.TrimEnd() != expected.TrimEnd())
        {
            var received = Path.ChangeExtension(listed, ".received.txt");
            File.WriteAllText(received, actual);
            var added = actual.Split('\n').Except(expected.Split('\n')).Take(10);
            var removed = expected.Split('\n').Except(actual.Split('\n')).Take(10);
            Assert.Fail(
                $"the public API of {project} is not the one listed in {listed}: if the change is meant, copy {received} over it.\n" +
                $"added:\n  {string.Join("\n  ", added)}\nremoved:\n  {string.Join("\n  ", removed)}");
        }
    }
}
