using Xunit.Abstractions;
using Xunit.Sdk;

namespace Know2Vec.Storage.Tests;

/// <summary>
/// Marks a test class whose tests need an external service named by an environment variable (a
/// PostgreSQL connection string, a Qdrant URL). When the variable is unset, every
/// <see cref="StorageFactAttribute"/> / <see cref="StorageTheoryAttribute"/> test of the class —
/// including those it inherits from a contract suite — is reported as skipped with <see cref="Reason"/>,
/// not failed.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresEnvironmentAttribute(string variable, string reason) : Attribute
{
    public string Variable { get; } = variable;

    public string Reason { get; } = reason;

    /// <summary>The skip reason for a test of <paramref name="testClass"/>, or null when it can run.</summary>
    internal static string? SkipReason(ITypeInfo testClass)
    {
        foreach (var attribute in testClass.GetCustomAttributes(typeof(RequiresEnvironmentAttribute)))
        {
            var variable = attribute.GetConstructorArguments().ElementAt(0) as string;
            var reason = attribute.GetConstructorArguments().ElementAt(1) as string;
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable!)))
            {
                return $"{variable} is not set: {reason}";
            }
        }
        return null;
    }
}

/// <summary>A [Fact] of a storage contract: skipped when its class's <see cref="RequiresEnvironmentAttribute"/> is not met.</summary>
[XunitTestCaseDiscoverer("Know2Vec.Storage.Tests.StorageFactDiscoverer", "Know2Vec.Storage.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StorageFactAttribute : FactAttribute;

/// <summary>A [Theory] of a storage contract: skipped when its class's <see cref="RequiresEnvironmentAttribute"/> is not met.</summary>
[XunitTestCaseDiscoverer("Know2Vec.Storage.Tests.StorageTheoryDiscoverer", "Know2Vec.Storage.Tests")]
[AttributeUsage(AttributeTargets.Method)]
public sealed class StorageTheoryAttribute : TheoryAttribute;

public sealed class StorageFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    protected override IXunitTestCase CreateTestCase(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        new EnvironmentGatedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod);
}

public sealed class StorageTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute)
    {
        // Unmet requirement: one skipped case for the whole theory, as xunit does for [Theory(Skip = ...)].
        if (RequiresEnvironmentAttribute.SkipReason(testMethod.TestClass.Class) is not null)
        {
            return [new EnvironmentGatedTestCase(DiagnosticMessageSink, discoveryOptions.MethodDisplayOrDefault(), discoveryOptions.MethodDisplayOptionsOrDefault(), testMethod)];
        }
        return base.Discover(discoveryOptions, testMethod, theoryAttribute);
    }
}

/// <summary>A test case whose skip reason is the unmet environment requirement of its class (read when it runs, so it survives serialisation).</summary>
public sealed class EnvironmentGatedTestCase : XunitTestCase
{
    [Obsolete("Called by the de-serializer; should only be called by deriving classes for de-serialization purposes")]
    public EnvironmentGatedTestCase()
    {
    }

    public EnvironmentGatedTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay defaultMethodDisplay, TestMethodDisplayOptions defaultMethodDisplayOptions, ITestMethod testMethod)
        : base(diagnosticMessageSink, defaultMethodDisplay, defaultMethodDisplayOptions, testMethod)
    {
    }

    protected override string GetSkipReason(IAttributeInfo factAttribute) =>
        RequiresEnvironmentAttribute.SkipReason(TestMethod.TestClass.Class) ?? base.GetSkipReason(factAttribute);
}
