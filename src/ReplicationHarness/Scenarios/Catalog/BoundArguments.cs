namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>A step's arguments once read: each key's value, or its default when the key was absent.</summary>
internal sealed class BoundArguments(IReadOnlyDictionary<string, object?> values)
{
    /// <summary>The value of a key that has one (given or defaulted).</summary>
    public T Get<T>(string key) => values.TryGetValue(key, out var value) && value is T typed
        ? typed
        : throw new InvalidOperationException($"step argument '{key}' has no {typeof(T).Name} value; the catalog entry and its factory disagree");

    /// <summary>The value of an optional key without a default, or null when absent.</summary>
    public T? Optional<T>(string key) where T : struct => values.TryGetValue(key, out var value) && value is T typed ? typed : null;

    /// <summary>The values of a <see cref="ArgumentShape.StandbyMapping"/> step by standby, in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, T>> PerStandby<T>(string key) =>
        Get<IReadOnlyList<KeyValuePair<string, object>>>(key).Select(p => KeyValuePair.Create(p.Key, (T)p.Value)).ToList();

    /// <summary>The names of an optional list of standbys, or null when absent.</summary>
    public IReadOnlyList<string>? OptionalNames(string key) => values.TryGetValue(key, out var value) ? value as IReadOnlyList<string> : null;

    /// <summary>The text of an optional key without a default (a node's name), or null when absent.</summary>
    public string? OptionalText(string key) => values.TryGetValue(key, out var value) ? value as string : null;
}
