using System.Text;

namespace ServerlessRyw.Tests.Tokens;

public sealed class RywTokenSignerUnitTests
{
    private static readonly byte[] OldKey = Encoding.ASCII.GetBytes("old-key-0123456789abcdef");
    private static readonly byte[] NewKey = Encoding.ASCII.GetBytes("new-key-0123456789abcdef");
    private static readonly RywToken Token = RywToken.FromPosition(new ReplicationPosition("8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e", 4242));

    [Fact]
    public void Sign_ThenParseAndVerify_IsValidAndMeansTheSameToken()
    {
        var signer = new RywTokenSigner([NewKey]);

        var text = signer.Sign(Token).ToString();

        Assert.StartsWith(Token.ToString() + ".s", text, StringComparison.Ordinal);
        Assert.True(RywToken.TryParse(text, out var parsed));
        Assert.True(parsed.IsSigned);
        Assert.Equal(Token, parsed);
        Assert.Equal(RywSignatureStatus.Valid, signer.Verify(parsed));
        Assert.Equal(text, parsed.ToString());
        Assert.True(text.Length <= RywToken.MaxLength);
    }

    [Fact]
    public void Verify_TamperedOffset_IsInvalid()
    {
        var signer = new RywTokenSigner([NewKey]);
        var text = signer.Sign(Token).ToString().Replace(":4242", ":9999", StringComparison.Ordinal);

        Assert.True(RywToken.TryParse(text, out var tampered));
        Assert.Equal(RywSignatureStatus.Invalid, signer.Verify(tampered));
    }

    [Fact]
    public void Verify_Unsigned_IsMissing() =>
        Assert.Equal(RywSignatureStatus.Missing, new RywTokenSigner([NewKey]).Verify(Token));

    [Fact]
    public void Verify_DuringRotation_AcceptsOldAndNewKeysButNotRetiredOnes()
    {
        var signedWithOld = new RywTokenSigner([OldKey]).Sign(Token);
        var rotating = new RywTokenSigner([NewKey, OldKey]);
        var rotated = new RywTokenSigner([NewKey]);

        Assert.Equal(RywSignatureStatus.Valid, rotating.Verify(signedWithOld));
        Assert.Equal(RywSignatureStatus.Valid, rotated.Verify(rotating.Sign(Token)));
        Assert.Equal(RywSignatureStatus.Invalid, rotated.Verify(signedWithOld));
    }

    [Fact]
    public void Merge_SignedTokenWithCoveredOne_KeepsSignatureButMovingForwardDropsIt()
    {
        var signed = new RywTokenSigner([NewKey]).Sign(Token);

        Assert.True(signed.Merge(default).IsSigned);
        Assert.True(signed.Merge(RywToken.FromPosition(new ReplicationPosition("8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e", 1))).IsSigned);
        Assert.False(signed.Merge(RywToken.FromPosition(new ReplicationPosition("8c3f0e2b5a6d4c1e9f7a0b3c5d7e9f1a2b4c6d8e", 5000))).IsSigned);
    }

    [Fact]
    public void Constructor_ShortKey_Throws() =>
        Assert.Throws<ArgumentException>(() => new RywTokenSigner([new byte[8]]));

    [Fact]
    public void Sign_EmptyToken_IsEmpty() => Assert.True(new RywTokenSigner([NewKey]).Sign(default).IsEmpty);
}
