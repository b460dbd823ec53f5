using Spectre.Console.Cli;

namespace ReplicationHarness.Cli.Infrastructure;

/// <summary>Resolves commands and their dependencies for Spectre.Console.Cli.</summary>
internal sealed class TypeResolver(IServiceProvider provider) : ITypeResolver, IDisposable
{
    public object? Resolve(Type? type) => type is null ? null : provider.GetService(type);

    public void Dispose() => (provider as IDisposable)?.Dispose();
}
