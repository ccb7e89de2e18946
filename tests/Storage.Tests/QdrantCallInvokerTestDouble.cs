using Google.Protobuf;
using Grpc.Core;
using Qdrant.Client.Grpc;

namespace Know2Vec.Storage.Tests;

/// <summary>
/// Test double of the gRPC transport under the real <see cref="Qdrant.Client.QdrantClient"/>: it
/// records every request the client sends (method name and message) and answers from canned
/// responders; calls without one get an empty success response. This checks what our adapter asks
/// Qdrant to do, byte for byte as the real client encodes it, without a Qdrant server.
/// </summary>
public sealed class QdrantCallInvokerTestDouble : CallInvoker
{
    private readonly Dictionary<string, Func<IMessage, IMessage>> _responders = new(StringComparer.Ordinal);
    private readonly List<(string Method, IMessage Request)> _calls = [];

    /// <summary>Every call so far, in order: the gRPC method name (e.g. "/qdrant.Points/Upsert") and its request.</summary>
    public IReadOnlyList<(string Method, IMessage Request)> Calls
    {
        get
        {
            lock (_calls)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The requests of one message type, in order.</summary>
    public IReadOnlyList<T> Requests<T>() where T : IMessage => Calls.Select(c => c.Request).OfType<T>().ToArray();

    /// <summary>Answers calls of <paramref name="method"/> (e.g. "/qdrant.Points/Query") with <paramref name="respond"/>; throw an <see cref="RpcException"/> to fail the call.</summary>
    public QdrantCallInvokerTestDouble On(string method, Func<IMessage, IMessage> respond)
    {
        _responders[method] = respond;
        return this;
    }

    /// <summary>Answers GET collection info as Qdrant does for a collection of <paramref name="dimension"/>-d cosine vectors.</summary>
    public QdrantCallInvokerTestDouble CollectionExists(int dimension) => On("/qdrant.Collections/Get", _ => CollectionInfo(dimension));

    /// <summary>Answers GET collection info with NOT_FOUND until <see cref="CollectionExists"/> replaces it.</summary>
    public QdrantCallInvokerTestDouble CollectionMissing() =>
        On("/qdrant.Collections/Get", _ => throw new RpcException(new Status(StatusCode.NotFound, "Not found: Collection `x` doesn't exist!")));

    public static GetCollectionInfoResponse CollectionInfo(int dimension) => new()
    {
        Result = new CollectionInfo
        {
            Config = new CollectionConfig
            {
                Params = new CollectionParams
                {
                    VectorsConfig = new VectorsConfig { Params = new VectorParams { Size = (ulong)dimension, Distance = Distance.Cosine } },
                },
            },
        },
    };

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        Respond(method, request);

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Task<TResponse> response;
        try
        {
            response = Task.FromResult(Respond(method, request));
        }
        catch (RpcException e)
        {
            response = Task.FromException<TResponse>(e);
        }
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException($"Streaming call {method.FullName} is not used by the adapter.");

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException($"Streaming call {method.FullName} is not used by the adapter.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException($"Streaming call {method.FullName} is not used by the adapter.");

    private TResponse Respond<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request)
        where TRequest : class
        where TResponse : class
    {
        // Round-trip the request through protobuf: what is recorded is what would go on the wire.
        var message = (IMessage)request;
        var sent = message.Descriptor.Parser.ParseFrom(message.ToByteArray());
        lock (_calls)
        {
            _calls.Add((method.FullName, sent));
        }

        if (_responders.TryGetValue(method.FullName, out var respond))
        {
            return (TResponse)respond(sent);
        }
        return (TResponse)DefaultSuccess(Activator.CreateInstance<TResponse>());
    }

    /// <summary>An empty response, with the success flags the client checks set.</summary>
    private static object DefaultSuccess(object response)
    {
        switch (response)
        {
            case CollectionOperationResponse collection:
                collection.Result = true;
                break;
            case PointsOperationResponse points:
                points.Result = new UpdateResult { Status = UpdateStatus.Completed };
                break;
        }
        return response;
    }
}
