using Microsoft.Extensions.Time.Testing;
using ServerlessRyw.Routing;

namespace ServerlessRyw.Tests.Routing;

public sealed class DeadlineWheelUnitTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);

    [Fact]
    public async Task WaitAsync_NoAnswer_TimesOutAtTheDeadlineNotBefore()
    {
        var time = new FakeTimeProvider();
        using var wheel = new DeadlineWheel(time, Timeout);
        var never = new TaskCompletionSource<int>();

        var waiting = wheel.WaitAsync(never.Task, Timeout);
        time.Advance(Timeout - TimeSpan.FromMilliseconds(25));
        Assert.False(waiting.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(25)); // the tick is a tenth of the timeout
        await Assert.ThrowsAsync<TimeoutException>(() => waiting.AsTask());
    }

    [Fact]
    public async Task WaitAsync_AnswerBeforeTheDeadline_ReturnsIt()
    {
        var time = new FakeTimeProvider();
        using var wheel = new DeadlineWheel(time, Timeout);
        var answer = new TaskCompletionSource<int>();

        var waiting = wheel.WaitAsync(answer.Task, Timeout);
        answer.SetResult(42);
        time.Advance(Timeout * 2);

        Assert.Equal(42, await waiting);
    }

    [Fact]
    public async Task WaitAsync_CommandFails_SurfacesItsOwnError()
    {
        var time = new FakeTimeProvider();
        using var wheel = new DeadlineWheel(time, Timeout);
        var answer = new TaskCompletionSource<int>();

        var waiting = wheel.WaitAsync(answer.Task, Timeout);
        answer.SetException(new InvalidOperationException("WRONGTYPE"));

        Assert.Equal("WRONGTYPE", (await Assert.ThrowsAsync<InvalidOperationException>(() => waiting.AsTask())).Message);
    }

    [Fact]
    public async Task WaitAsync_Cancelled_EndsAsCancelled()
    {
        var time = new FakeTimeProvider();
        using var wheel = new DeadlineWheel(time, Timeout);
        using var cancel = new CancellationTokenSource();

        var waiting = wheel.WaitAsync(new TaskCompletionSource<int>().Task, Timeout, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.AsTask());
    }

    [Fact]
    public async Task WaitAsync_ManyWaits_OneTimerServesThemAll()
    {
        var time = new CountingTimeProvider();
        using var wheel = new DeadlineWheel(time, Timeout);
        var waits = Enumerable.Range(0, 100).Select(_ => wheel.WaitAsync(new TaskCompletionSource<int>().Task, Timeout)).ToArray();

        time.Advance(Timeout);

        Assert.Equal(1, time.TimersCreated);
        foreach (var wait in waits)
        {
            await Assert.ThrowsAsync<TimeoutException>(() => wait.AsTask());
        }
    }

    [Fact]
    public async Task WaitAsync_TimedOutCommandAnswersLater_NextWaitsGetOnlyTheirOwnOutcome()
    {
        var time = new FakeTimeProvider();
        using var wheel = new DeadlineWheel(time, Timeout);
        var late = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var timedOut = wheel.WaitAsync(late.Task, Timeout);
        time.Advance(Timeout);
        await Assert.ThrowsAsync<TimeoutException>(() => timedOut.AsTask());

        // Pooled waits: those started now must never see the late answer, nor the old deadline.
        var answers = Enumerable.Range(0, 8).Select(_ => new TaskCompletionSource<int>()).ToArray();
        var waits = answers.Select(a => wheel.WaitAsync(a.Task, Timeout)).ToArray();
        late.SetResult(-1);
        await Task.Delay(50);
        time.Advance(Timeout / 2);
        for (var i = 0; i < answers.Length; i++)
        {
            Assert.False(waits[i].IsCompleted, $"wait {i} ended before its own answer or deadline");
            answers[i].SetResult(i);
            Assert.Equal(i, await waits[i]);
        }
    }

    [Fact]
    public async Task WaitAsync_ManySequentialWaits_EachEndsWithItsOwnAnswer()
    {
        var time = new FakeTimeProvider();
        using var wheel = new DeadlineWheel(time, Timeout);
        for (var i = 0; i < 10_000; i++)
        {
            var answer = new TaskCompletionSource<int>();
            var waiting = wheel.WaitAsync(answer.Task, Timeout);
            if (i % 3 == 0)
            {
                time.Advance(Timeout);
                await Assert.ThrowsAsync<TimeoutException>(() => waiting.AsTask());
                answer.SetResult(i); // answers after its wait timed out: observed, not delivered to a later wait
            }
            else
            {
                answer.SetResult(i);
                Assert.Equal(i, await waiting);
            }
        }
    }

    private sealed class CountingTimeProvider : FakeTimeProvider
    {
        public int TimersCreated { get; private set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            TimersCreated++;
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }
}
