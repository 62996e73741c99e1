using ServerlessRyw.Routing;
using StackExchange.Redis;

namespace ServerlessRyw;

/// <summary>
/// One invocation's view of Redis: it carries the read-your-writes token in and out, captures the token after
/// writes, and routes reads to a replica only when that replica has caught up with the token.
/// </summary>
/// <remarks>
/// Create one per invocation with <see cref="RywClient.CreateSession(RywToken)"/>; it is cheap. Its members are
/// safe to call concurrently. Carriers read <see cref="GetTokenAsync(CancellationToken)"/> when a response or an
/// outgoing message leaves, so the token they stamp includes every write made so far.
/// </remarks>
public sealed partial class RywSession
{
    private readonly RywClient _client;

    // Not readonly: a mutable struct changed through this field (see SessionTokenState).
    private SessionTokenState _tokens = new();

    internal RywSession(RywClient client) => _client = client;

    /// <summary>The client the session belongs to (its router, policy and connections).</summary>
    internal RywClient Client => _client;

    /// <summary>The token state itself (a reference, so routers update this session's, never a copy).</summary>
    internal ref SessionTokenState Tokens => ref _tokens;

    /// <summary>The session's token as far as it is known, without waiting for pending captures.</summary>
    /// <remarks>Carriers use <see cref="GetTokenAsync(CancellationToken)"/>, which includes writes announced with <see cref="MarkWritten"/>.</remarks>
    public RywToken Token => _tokens.Current;

    /// <summary>Whether a write announced with <see cref="MarkWritten"/> has not been captured in the token yet.</summary>
    public bool HasPendingWrite => _tokens.HasPendingWrite;

    /// <summary>The primary, for commands the routed methods do not cover (transactions, scripts, pub/sub).</summary>
    /// <remarks>After writing through it, call <see cref="MarkWritten"/> so later reads and exports include the write.</remarks>
    public IDatabase Primary => _client.PrimaryNode.Database;

    /// <summary>The routing mode of the client this session belongs to.</summary>
    public RywMode Mode => _client.Policy.Mode;

    /// <summary>Merges an incoming token's text (from a header or message). Never throws.</summary>
    /// <param name="text">The token text, or <see langword="null"/>.</param>
    /// <returns>What the text was; anything but valid or empty was counted and logged, and made reads more careful.</returns>
    public RywTokenStatus Import(string? text)
    {
        if (RywToken.TryParse(text.AsSpan(), out var token, out var status))
        {
            return Import(token);
        }

        if (status != RywTokenStatus.Empty)
        {
            Reject(status);
        }

        return status;
    }

    /// <summary>
    /// Merges an incoming token; its positions are checked against the primary before they decide a read. With
    /// signing keys configured, a tampered signature (or a missing one, when signatures are required) rejects it.
    /// </summary>
    /// <param name="token">The token that arrived with the invocation.</param>
    /// <returns><see cref="RywTokenStatus.Valid"/>, <see cref="RywTokenStatus.Empty"/> or <see cref="RywTokenStatus.BadSignature"/>.</returns>
    public RywTokenStatus Import(RywToken token)
    {
        if (token.IsEmpty)
        {
            return RywTokenStatus.Empty;
        }

        var policy = _client.Policy;
        var signature = policy.Signer?.Verify(token) ?? RywSignatureStatus.Missing;
        if (signature == RywSignatureStatus.Invalid || (signature != RywSignatureStatus.Valid && policy.RequireSignedTokens))
        {
            Reject(RywTokenStatus.BadSignature);
            return RywTokenStatus.BadSignature;
        }

        var now = policy.Time.GetUtcNow();
        if (token.LastWriteAt > now + RoutingPolicy.MaxClockSkew)
        {
            // A far-future write time would pin window-mode reads to the primary forever.
            _client.Telemetry.RecordRejection(RywTokenRejection.BeyondPrimary);
        }

        token = token.WithWriteTimeAtMost(now);
        if (token.IsOverflowed && _client.Router.CapturesIncompleteTokens)
        {
            // The sender could not name its last write (its capture timed out): only the primary's position covers it.
            RequireCurrentPosition();
        }

        _tokens.MergeImported(token);
        return RywTokenStatus.Valid;
    }

    /// <summary>
    /// Records that a token arrived but could not be read at all (for example inside a damaged queue envelope):
    /// counted and logged like a malformed token, and reads wait for the primary's current position.
    /// </summary>
    /// <param name="status">What was wrong; <see cref="RywTokenStatus.Malformed"/> when unsure.</param>
    public void ImportUnreadable(RywTokenStatus status = RywTokenStatus.Malformed) =>
        Reject(status is RywTokenStatus.Valid or RywTokenStatus.Empty ? RywTokenStatus.Malformed : status);

    /// <summary>Announces a write made through <see cref="Primary"/>: the next routed read or export captures it.</summary>
    public void MarkWritten() => Announce(PendingCapture.Write);

    /// <summary>
    /// The session's token including every write so far, signed when the client has signing keys: what carriers
    /// stamp on the way out.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for a pending capture.</param>
    /// <returns>The newest token; empty when the session has neither read one nor written.</returns>
    /// <remarks>
    /// A pending capture waits at most <see cref="RywOptions.ReplicaTimeout"/> for the primary. When the primary does
    /// not answer in time (counted as a probe failure), the token is sent marked incomplete
    /// (<see cref="RywToken.IsOverflowed"/>): whoever continues from it requires the primary's current position, and
    /// so does this session's next read.
    /// </remarks>
    public async ValueTask<RywToken> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        var complete = _client.Policy.Mode != RywMode.Token || !_tokens.IsPending || await _client.Router.CaptureAsync(this, cancellationToken).ConfigureAwait(false);
        var token = complete ? Token : Token.AsIncomplete(_client.Policy.Time.GetUtcNow());
        return _client.Policy.Signer is { } signer && !token.IsSigned ? signer.Sign(token) : token;
    }

    /// <summary>
    /// The session's token as text for a carrier to send on (signed when the client has signing keys), including
    /// every write so far.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for a pending capture.</param>
    /// <returns>The token text; empty when there is nothing to carry.</returns>
    public async ValueTask<string> ExportAsync(CancellationToken cancellationToken = default) =>
        (await GetTokenAsync(cancellationToken).ConfigureAwait(false)).ToString();

    private void Reject(RywTokenStatus status)
    {
        _client.Telemetry.RecordRejection(ToRejection(status));
        Log.TokenRejected(_client.Logger, status);
        RequireCurrentPosition();
    }

    private void RequireCurrentPosition() => Announce(PendingCapture.CurrentPosition);

    /// <summary>
    /// Something only the primary's current position covers happened: in token mode a request for a capture, in
    /// window mode a write time of now; the other modes keep no token.
    /// </summary>
    private void Announce(PendingCapture pending)
    {
        switch (_client.Policy.Mode)
        {
            case RywMode.Token when pending == PendingCapture.Write:
                _tokens.AnnounceWrite();
                break;
            case RywMode.Token:
                _tokens.RequireCurrentPosition();
                break;
            case RywMode.Window:
                _tokens.MergeOwn(RywToken.FromWriteTime(_client.Policy.Time.GetUtcNow()));
                break;
            default:
                break;
        }
    }

    private static RywTokenRejection ToRejection(RywTokenStatus status) => status switch
    {
        RywTokenStatus.TooLong => RywTokenRejection.TooLong,
        RywTokenStatus.UnsupportedVersion => RywTokenRejection.UnsupportedVersion,
        RywTokenStatus.TooManyPositions => RywTokenRejection.TooManyPositions,
        RywTokenStatus.BadSignature => RywTokenRejection.BadSignature,
        _ => RywTokenRejection.Malformed,
    };

    /// <summary>What a capture will have to cover.</summary>
    private enum PendingCapture
    {
        /// <summary>A write of this session.</summary>
        Write,

        /// <summary>Something only the primary's current position covers (an unreadable token).</summary>
        CurrentPosition,
    }
}
