using System;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace GraphNet.Terminal;

/// <summary>
/// A console progress bar for a training run: one bar per epoch with the running mean loss and the
/// throughput in samples/s. When the console is not interactive (redirected output, CI) it prints one
/// line per epoch instead.
/// </summary>
public sealed class TrainingProgress
{
    private readonly IAnsiConsole _console;

    /// <summary>A progress display on <paramref name="console"/>, or on Spectre.Console's default console when null.</summary>
    public TrainingProgress(IAnsiConsole? console = null) { _console = console ?? AnsiConsole.Console; }

    /// <summary>A progress report that prints nothing (the ranks of a data-parallel job other than rank 0).</summary>
    public static TrainingProgress Silent() => new(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(System.IO.TextWriter.Null),
        Interactive = InteractionSupport.No,
    }));

    /// <summary>Runs <paramref name="body"/>, which reports steps and epochs through the given reporter.</summary>
    public void Run(int epochs, int stepsPerEpoch, Action<Reporter> body)
    {
        if (!_console.Profile.Capabilities.Interactive)
        {
            body(new Reporter(null, null, epochs, stepsPerEpoch, _console));
            return;
        }
        _console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx => body(new Reporter(ctx, ctx.AddTask("epoch 1", maxValue: stepsPerEpoch), epochs, stepsPerEpoch, _console)));
    }

    /// <summary>Receives the steps of a run: <see cref="Step"/> after each batch, <see cref="EndEpoch"/> after each epoch.</summary>
    public sealed class Reporter
    {
        private readonly ProgressContext? _ctx;
        private ProgressTask? _task;
        private readonly int _epochs, _steps;
        private readonly IAnsiConsole _console;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _lossSum;
        private int _lossCount, _epoch = 1;
        private long _samples;

        internal Reporter(ProgressContext? ctx, ProgressTask? task, int epochs, int steps, IAnsiConsole console)
        {
            _ctx = ctx; _task = task; _epochs = epochs; _steps = steps; _console = console;
        }

        /// <summary>Mean loss of the steps of the current epoch.</summary>
        public double MeanLoss => _lossCount == 0 ? double.NaN : _lossSum / _lossCount;

        /// <summary>Samples per second since the run started.</summary>
        public double SamplesPerSecond => _samples / Math.Max(1e-9, _clock.Elapsed.TotalSeconds);

        /// <summary>Records one step: its <paramref name="loss"/> (averaged into the epoch's mean) and the <paramref name="samples"/> it processed (for samples/s).</summary>
        public void Step(float loss, int samples)
        {
            _lossSum += loss;
            _lossCount++;
            _samples += samples;
            if (_task is not null)
            {
                _task.Increment(1);
                _task.Description = Describe();
            }
        }

        /// <summary>Ends the epoch; <paramref name="summary"/> (for example the test accuracy) is shown beside it.</summary>
        public void EndEpoch(string summary = "")
        {
            string line = $"{Describe()}{(summary.Length > 0 ? "  " + summary : "")}";
            if (_task is not null)
            {
                _task.Description = Markup.Escape(line);
                _task.Value = _task.MaxValue;
                _task.StopTask();
                if (_epoch < _epochs) _task = _ctx!.AddTask($"epoch {_epoch + 1}", maxValue: _steps);
            }
            else _console.WriteLine(line);
            _epoch++;
            _lossSum = 0;
            _lossCount = 0;
        }

        private string Describe() => string.Create(CultureInfo.InvariantCulture,
            $"epoch {_epoch}/{_epochs}  loss {MeanLoss:F4}  {SamplesPerSecond:N0} samples/s");
    }
}
