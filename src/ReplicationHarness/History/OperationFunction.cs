namespace ReplicationHarness.History;

/// <summary>What an operation does, in Elle's list-append terms.</summary>
internal enum OperationFunction
{
    /// <summary>Appends one unique value to a key's list (a row inserted).</summary>
    Append,

    /// <summary>Reads a key's whole list (the rows of that key, in append order).</summary>
    Read,
}
