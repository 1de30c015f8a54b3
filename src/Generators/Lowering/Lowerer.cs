using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using GraphNet.Compiler;

namespace GraphNet.Generators;

/// <summary>
/// Builds the model's module tree (config values, parameters with hierarchical names) and lowers spec methods to
/// graph IR through <see cref="GraphBuilder"/>: calls are inlined, loops over constant bounds unrolled, conditions
/// on constants resolved. Shape errors become diagnostics on the offending expression; inside a module they also
/// name the module and the call sites that led there.
/// </summary>
internal sealed class Lowerer
{
    /// <summary>The most iterations one loop may unroll to, and the most modules a model may hold.</summary>
    public const int MaxUnroll = 10_000;

    private readonly ModelSpec _model;
    private readonly Dictionary<string, ModuleSpec> _modules;
    private GraphBuilder _b; // the graph being built: the entry's, or a loop body's while it is lowered
    private readonly List<ScanFrame> _scans = new();
    private readonly Dictionary<string, Node> _nodes;
    private readonly List<DiagnosticInfo> _diags;
    private readonly CancellationToken _ct;
    private readonly List<Frame> _frames = new();
    private int _instances;

    private sealed record Frame(Instance Self, string Method, string Key, LocationInfo? CallSite);

    public Lowerer(ModelSpec model, GraphBuilder b, Dictionary<string, Node> nodes, List<DiagnosticInfo> diags, CancellationToken ct)
    {
        _model = model; _b = b; _nodes = nodes; _diags = diags; _ct = ct;
        _modules = new Dictionary<string, ModuleSpec>();
        foreach (var m in model.Modules) _modules[m.TypeName] = m;
    }

    /// <summary>The model as the root module of its tree.</summary>
    public static ModuleSpec RootSpec(ModelSpec m) => new(m.MetadataName, m.ClassName, m.Config, m.Params, m.Submodules, m.Methods,
        m.Entries.FirstOrDefault()?.Location ?? new LocationInfo(-1));

    // ---- building the module tree ----

    /// <summary>Builds the tree; every parameter and buffer, in PyTorch's state_dict order (own members, then sub-modules), goes to <paramref name="slots"/>.</summary>
    public Instance Build(List<ParamSlot> slots)
    {
        var root = new Instance(RootSpec(_model), "");
        var taken = new HashSet<string>(_model.Params.Select(p => p.Name));
        Populate(root, new Dictionary<string, Value>(), slots, taken, new List<string> { _model.MetadataName }, null);
        return root;
    }

    private void Populate(Instance self, Dictionary<string, Value> args, List<ParamSlot> slots, HashSet<string> taken, List<string> types, LocationInfo? site)
    {
        _ct.ThrowIfCancellationRequested();
        if (++_instances > MaxUnroll)
            Fail(DiagnosticDescriptors.NotConstant, site, "The number of modules in the model", $"more than {MaxUnroll}");
        _frames.Add(new Frame(self, self.Spec.Name, "", site));
        try
        {
            var env = new Dictionary<string, Value>();
            foreach (var c in self.Spec.Config)
            {
                Value v;
                if (c.IsArgument) v = args.TryGetValue(c.Name, out var a) ? a : c.Value is { } d ? Eval(d, env) : Fail(DiagnosticDescriptors.InvalidModule, site, self.Spec.Name, $"constructor argument '{c.Name}' has no value");
                else if (c.Value is null) throw new LoweringFailed(); // its initializer has its own error
                else v = Eval(c.Value, env);
                self.Config[c.Name] = Convert(v, c, self);
            }
            foreach (var p in self.Spec.Params)
            {
                if (p.IsBroken) continue;
                var dims = p.Shape.Select(d => Dim.Const(DimOf(self, d, p))).ToList();
                int? fanIn = p.FanIn is { } f ? (int)DimOf(self, f, p) : null;
                string path = self.Path + p.Name + self.Suffix;
                if (slots.Any(q => q.Path == path))
                    Fail(DiagnosticDescriptors.InvalidModule, site, self.Spec.Name, $"its member '{p.Name}' would be named '{path}', a name another member has already; give the [Flatten] sub-modules different suffixes");
                string graph = self.Path.Length == 0 ? p.Name : Mangle(path, taken);
                var slot = new ParamSlot(graph, path, new Shape(dims), p.Init, fanIn, p.IsBuffer, self.Path.Length > 0);
                self.Params[p.Name] = slot;
                slots.Add(slot);
            }
            foreach (var s in self.Spec.Submodules)
            {
                if (s.Items.Count == 0) throw new LoweringFailed(); // reported where the field is declared
                if (!s.IsArray)
                {
                    self.Subs[s.Name] = new ModuleValue(Child(self, s.Items[0], env, s.Suffix is null ? self.Path + s.Name + "." : self.Path, s.SuffixOf(0) + self.Suffix, slots, taken, types, s));
                    continue;
                }
                var items = new List<Value>();
                int count = s.Count is null ? s.Items.Count : Int(Eval(s.Count, env), s.Count.Location, $"The count of the module array '{s.Name}'");
                if (count < 0 || count > MaxUnroll)
                    Fail(DiagnosticDescriptors.NotConstant, s.Location, $"The count of the module array '{s.Name}'", $"{count}; it must be between 0 and {MaxUnroll}");
                for (int i = 0; i < count; i++)
                {
                    var local = new Dictionary<string, Value>(env);
                    if (s.IndexVar is { } iv) local[iv] = new ScalarValue(i);
                    var spec = s.Count is null ? s.Items[i] : s.Items[0];
                    string path = s.Suffix is null ? self.Path + s.Name + "." + i.ToString(CultureInfo.InvariantCulture) + "." : self.Path;
                    items.Add(new ModuleValue(Child(self, spec, local, path, s.SuffixOf(i) + self.Suffix, slots, taken, types, s)));
                }
                self.Subs[s.Name] = new ArrayValue(items);
            }
        }
        finally
        {
            _frames.RemoveAt(_frames.Count - 1);
        }
    }

    private Instance Child(Instance parent, NewSpec n, Dictionary<string, Value> env, string path, string suffix, List<ParamSlot> slots, HashSet<string> taken, List<string> types, SubmoduleSpec field)
    {
        if (!_modules.TryGetValue(n.Type, out var spec)) throw new LoweringFailed(); // reported when the model was read
        if (spec.HasErrors) throw new LoweringFailed(); // reported where the module is declared
        if (types.Contains(n.Type))
            Fail(DiagnosticDescriptors.ModuleCycle, field.Location, spec.Name,
                string.Join(" → ", types.Skip(types.IndexOf(n.Type)).Select(t => t.Split('.', '+').Last()).Concat(new[] { spec.Name })) + $" (field '{field.Name}')");
        var args = new Dictionary<string, Value>();
        var ctorArgs = spec.Config.Where(c => c.IsArgument).ToList();
        for (int i = 0; i < ctorArgs.Count && i < n.Args.Count; i++) args[ctorArgs[i].Name] = Eval(n.Args[i], env);
        var child = new Instance(spec, path, suffix);
        types.Add(n.Type);
        Populate(child, args, slots, taken, types, n.Location.Id >= 0 ? n.Location : field.Location);
        types.RemoveAt(types.Count - 1);
        return child;
    }

    private Value Convert(Value v, ConfigSpec c, Instance self) => (c.Type, v) switch
    {
        ("bool", BoolValue) => v,
        ("int", ScalarValue s) when s.Value == System.Math.Floor(s.Value) => v,
        ("int", DimValue { Dim.IsConstant: true } d) => new ScalarValue(d.Dim.Coef),
        ("float", ScalarValue) => v,
        _ => Fail(DiagnosticDescriptors.NotConstant, c.Location, $"Config value '{c.Name}' of {self.Describe(_model.ClassName)}", $"{Describe(v)} where a constant {c.Type} belongs"),
    };

    private long DimOf(Instance self, string d, ParamSpec p)
    {
        if (long.TryParse(d, NumberStyles.None, CultureInfo.InvariantCulture, out var c)) return c;
        if (self.Config.TryGetValue(d, out var v) && v is ScalarValue s && s.Value == System.Math.Floor(s.Value) && s.Value >= 1 && s.Value <= ModelParser.MaxElements)
            return (long)s.Value;
        return Fail(DiagnosticDescriptors.InvalidParam, p.Location, p.IsBuffer ? "[Buffer]" : "[Param]", self.Path + p.Name,
            $"dim '{d}' is {(self.Config.TryGetValue(d, out var x) ? Describe(x) : "not a config value")} in {self.Describe(_model.ClassName)}; dims must be positive ints") switch { _ => 0 };
    }

    /// <summary>A C# field name for a module's parameter: "__m_" and its path with '.' as '_', made unique.</summary>
    private static string Mangle(string path, HashSet<string> taken)
    {
        var chars = path.Select(ch => ch is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' ? ch : '_').ToArray();
        string name = "__m_" + new string(chars);
        for (int k = 2; !taken.Add(name); k++) name = "__m_" + new string(chars) + "_" + k.ToString(CultureInfo.InvariantCulture);
        return name;
    }

    // ---- lowering spec methods ----

    /// <summary>Lowers a spec method of <paramref name="self"/> with argument values; a tensor, or an array of tensors for a tuple.</summary>
    public Value LowerMethod(Instance self, SpecMethod m, IReadOnlyList<Value> args, LocationInfo? site = null)
    {
        _frames.Add(new Frame(self, m.Name, self.Path + m.Key, site));
        try
        {
            var env = new Dictionary<string, Value>();
            for (int i = 0; i < m.Inputs.Count && i < args.Count; i++) env[m.Inputs[i].Name] = args[i];
            Value? result = null;
            Exec(m.Body, env, ref result);
            return result ?? throw new LoweringFailed();
        }
        finally
        {
            _frames.RemoveAt(_frames.Count - 1);
        }
    }

    private Instance Self => _frames[_frames.Count - 1].Self;

    private string Method => _frames[_frames.Count - 1].Method;

    /// <summary>Runs statements at build time; true once a 'return' has set <paramref name="result"/>.</summary>
    private bool Exec(IReadOnlyList<Stmt> body, Dictionary<string, Value> env, ref Value? result)
    {
        foreach (var s in body)
        {
            _ct.ThrowIfCancellationRequested();
            switch (s)
            {
                case AssignStmt a:
                    env[a.Local] = Eval(a.Value, env);
                    break;
                case FieldAssignStmt fa:
                    AssignField(fa, env);
                    break;
                case ElementAssignStmt ea when env.TryGetValue(ea.Local, out var seqTarget) && seqTarget is SequenceValue seq:
                    StepResult(ea, seq, env);
                    break;
                case ElementAssignStmt ea:
                    if (!env.TryGetValue(ea.Local, out var target) || target is not ArrayValue { Items: List<Value> slots })
                        return Fail(DiagnosticDescriptors.Unsupported, ea.Location, Method, $"an element assignment to '{ea.Local}'",
                            "assign elements of a local array made with 'new Tensor[n]'") is null;
                    int at = Int(Eval(ea.Index, env), ea.Index.Location, "index");
                    if (at < 0 || at >= slots.Count)
                        Fail(DiagnosticDescriptors.InvalidArgument, ea.Index.Location, "indexing", $"index {at} is out of range for {slots.Count} elements");
                    slots[at] = Eval(ea.Value, env);
                    break;
                case ReturnStmt r:
                    result = Eval(r.Value, env);
                    return true;
                case DeconstructStmt d:
                    var v = Eval(d.Value, env);
                    if (v is not ArrayValue arr || arr.Items.Count != d.Locals.Count)
                        Fail(DiagnosticDescriptors.TupleMismatch, d.Location, Method, $"{Describe(v)} is deconstructed into {d.Locals.Count} locals");
                    for (int i = 0; i < d.Locals.Count; i++)
                        if (d.Locals[i].Length > 0) env[d.Locals[i]] = ((ArrayValue)v).Items[i];
                    break;
                case IfStmt i:
                    if (Exec(Condition(i.Condition, env, "The condition of this 'if'") ? i.Then : i.Else, env, ref result)) return true;
                    break;
                case ForStmt f when ScanBound(f, env) is { } bound:
                    LowerScan(f, env, bound.Length, bound.Reverse);
                    break;
                case ForStmt f:
                    env[f.Var] = Eval(f.Start, env);
                    for (int n = 0; ; n++)
                    {
                        if (!Condition(f.Condition, env, "The bound of this 'for' loop (a loop over a length known only at run time is written 'for (int t = 0; t < x.Shape[1]; t++)', counting down from 'x.Shape[1] - 1' to 0, or bounded by an int argument of the entry)")) break;
                        if (n >= MaxUnroll) Fail(DiagnosticDescriptors.NotConstant, f.Location, "The trip count of this 'for' loop", $"more than {MaxUnroll} iterations, which GraphNet would unroll");
                        CheckSize(f.Location);
                        if (Exec(f.Body, env, ref result)) return true;
                        env[f.Var] = Eval(f.Next, env);
                    }
                    break;
                case ForeachStmt fe:
                    var coll = Eval(fe.Collection, env);
                    if (coll is not ArrayValue items)
                        return Fail(DiagnosticDescriptors.NotConstant, fe.Collection.Location, "The collection of this 'foreach'", $"{Describe(coll)}; loop over module arrays or arrays of tensors") is null;
                    foreach (var item in items.Items)
                    {
                        CheckSize(fe.Location);
                        env[fe.Var] = item;
                        if (Exec(fe.Body, env, ref result)) return true;
                    }
                    break;
            }
        }
        return false;
    }

    private bool Condition(Expr e, Dictionary<string, Value> env, string what) => Eval(e, env) switch
    {
        BoolValue b => b.Value,
        var v => Fail(DiagnosticDescriptors.NotConstant, e.Location, what, Describe(v)) is null,
    };

    private Value Eval(Expr e, Dictionary<string, Value> env)
    {
        _ct.ThrowIfCancellationRequested();
        switch (e)
        {
            case NumberExpr n: return new ScalarValue(n.Value);
            case BoolExpr bo: return new BoolValue(bo.Value);
            case StringExpr str: return new StringValue(str.Value);
            case NullExpr: return new NullValue();
            case IndexExpr ix when Eval(ix.Array, env) is SequenceValue sv:
                return SequenceElement(ix, sv, Eval(ix.Index, env));
            case IndexExpr ix:
                return Guarded(ix.Location, "indexing", () =>
                {
                    var arr = Eval(ix.Array, env) as ArrayValue
                        ?? throw new ShapeError(ShapeErrorKind.InvalidArgument, "only arrays (of tensors from Split or Chunk, of modules, or tuples) can be indexed");
                    int i = OpLowering.AsInt(Eval(ix.Index, env), "indexing");
                    if (i < 0 || i >= arr.Items.Count) throw new ShapeError(ShapeErrorKind.InvalidArgument, $"index {i} is out of range for {arr.Items.Count} elements");
                    return arr.Items[i];
                });
            case RefExpr r:
                if (env.TryGetValue(r.Name, out var v)) return v;
                return Field(r.Name, r.Location);
            case FieldExpr f:
                return Field(f.Name, f.Location);
            case ArrayExpr a:
                return new ArrayValue(a.Items.Select(x => Eval(x, env)).ToList());
            case NewArrayExpr na:
                var size = Eval(na.Length, env);
                if (RunDim(size) is { } run) return new SequenceValue(run);
                int length = size switch
                {
                    ScalarValue { Value: var n } when n == System.Math.Floor(n) && n >= 0 && n <= MaxUnroll => (int)n,
                    DimValue { Dim.IsConstant: true, Dim.Coef: var c } when c >= 0 && c <= MaxUnroll => (int)c,
                    _ => -1,
                };
                if (length < 0)
                    Fail(DiagnosticDescriptors.NotConstant, na.Length.Location, "The length of this array",
                        $"{Describe(size)}; arrays of tensors have a constant length of at most {MaxUnroll}");
                return new ArrayValue(Enumerable.Repeat((Value)new NullValue(), length).ToList());
            case LengthExpr len when Eval(len.Array, env) is SequenceValue lsv:
                return new DimValue(lsv.Length);
            case LengthExpr len:
                return Eval(len.Array, env) is ArrayValue av ? new ScalarValue(av.Items.Count)
                    : Fail(DiagnosticDescriptors.Unsupported, len.Location, Method, "'Length' of something that is not an array", "use Length on module arrays and arrays of tensors");
            case NegateExpr neg:
                return Guarded(neg.Location, "negation", () => Eval(neg.Operand, env) switch
                {
                    ScalarValue s => new ScalarValue(-s.Value),
                    DimValue { Dim.IsConstant: true } d => new DimValue(Dim.Const(-d.Dim.Coef)),
                    var x => new TensorValue(_b.Neg(OpLowering.AsTensor(_b, x, "negation"))),
                });
            case NotExpr not:
                return new BoolValue(!Condition(not.Operand, env, "The operand of '!'"));
            case CondExpr c:
                return Eval(Condition(c.Condition, env, "The condition of this '?:'") ? c.WhenTrue : c.WhenFalse, env);
            case DimOfExpr d:
                return Guarded(d.Location, "Shape", () =>
                {
                    var t = OpLowering.AsTensor(_b, Eval(d.Tensor, env), "Shape");
                    int axis = GraphBuilder.NormalizeAxis(OpLowering.AsInt(Eval(d.Axis, env), "Shape"), t.Shape.Rank, "Shape");
                    return new DimValue(t.Shape[axis]);
                });
            case BinaryExpr bin when bin.Operator is "&&" or "||":
                bool left = Condition(bin.Left, env, $"The left side of '{bin.Operator}'");
                if (bin.Operator == "&&" ? !left : left) return new BoolValue(left);
                return new BoolValue(Condition(bin.Right, env, $"The right side of '{bin.Operator}'"));
            case BinaryExpr bin:
                return Binary(bin, Eval(bin.Left, env), Eval(bin.Right, env));
            case CallExpr call when call.Op.StartsWith("Math.", System.StringComparison.Ordinal):
                return ConstantMath(call, call.Args.Select(x => Eval(x.Value, env)).ToList());
            case CallExpr call:
                var args = call.Args.Select(x => Eval(x.Value, env)).ToList();
                if (call.Op == "Select" && args.Count == 3 && args[2] is StepValue step) return StepRead(call, args, step);
                if (call.Op == "Stack" && args.Count >= 1 && args[0] is SequenceValue stacked) return StackSequence(call, stacked, args);
                int warned = _b.Warnings.Count;
                var value = Guarded(call.Location, call.Op, () => OpLowering.LowerValue(_b, call.Op, args));
                for (int w = warned; w < _b.Warnings.Count; w++) _diags.Add(DiagnosticDescriptors.Info(DiagnosticDescriptors.LossBroadcast, call.Location, _b.Warnings[w]));
                return value;
            case SpecCallExpr sc:
                return Call(Self, sc.Method, sc.Key, sc.Args, env, sc.Location);
            case MemberCallExpr mc:
                var target = Eval(mc.Target, env);
                if (target is not ModuleValue mv)
                    return Fail(DiagnosticDescriptors.Unsupported, mc.Location, Method, $"a call to '{mc.Method}' on {Describe(target)}", "call spec methods of sub-modules");
                return Call(mv.Instance, mc.Method, mc.Key, mc.Args, env, mc.Location);
        }
        throw new LoweringFailed();
    }

    // ---- loops over a run-time dim: scans ----

    /// <summary>
    /// The trip count and direction of a loop over a run-time dim, <c>for (int t = 0; t &lt; T; t++)</c> or
    /// <c>for (int t = T - 1; t &gt;= 0; t--)</c>; null for a loop that is unrolled.
    /// </summary>
    private (Dim Length, bool Reverse)? ScanBound(ForStmt f, Dictionary<string, Value> env)
    {
        bool IsVar(Expr e) => e is RefExpr r && r.Name == f.Var;
        bool IsNum(Expr e, double v) => e is NumberExpr n && n.Value == v;
        bool Steps(string op) => f.Next is BinaryExpr { Operator: var o } nx && o == op && IsVar(nx.Left) && IsNum(nx.Right, 1);
        if (f.Condition is BinaryExpr { Operator: "<" } up && IsVar(up.Left) && Steps("+")
            && RunDim(Eval(up.Right, env)) is { } d && IsNum(f.Start, 0))
            return (d, false);
        if (f.Start is BinaryExpr { Operator: "-" } top && IsNum(top.Right, 1) && f.Condition is BinaryExpr { Operator: ">=" } down
            && IsVar(down.Left) && IsNum(down.Right, 0) && Steps("-") && RunDim(Eval(top.Left, env)) is { } r)
            return (r, true);
        return null;
    }

    /// <summary>A length known only at run time: a symbolic dim (<c>x.Shape[1]</c>) or an entry's <c>int</c> argument, which then binds a dim of its own name.</summary>
    private static Dim? RunDim(Value v) => v switch
    {
        DimValue { Dim.IsConstant: false } d => d.Dim,
        TensorValue { Node: { Op: OpKind.Input, Attrs.DimValue: { IsConstant: false } count } } => count,
        _ => null,
    };

    private static void Assigned(IEnumerable<Stmt> body, HashSet<string> names)
    {
        foreach (var s in body)
            switch (s)
            {
                case AssignStmt a: names.Add(a.Local); break;
                case DeconstructStmt d: foreach (var l in d.Locals) if (l.Length > 0) names.Add(l); break;
                case ForStmt f: Assigned(f.Body, names); break;
                case ForeachStmt fe: Assigned(fe.Body, names); break;
                case IfStmt i: Assigned(i.Then, names); Assigned(i.Else, names); break;
            }
    }

    /// <summary>
    /// Lowers the loop's body once into a graph of its own and adds one scan node: locals assigned in the body that
    /// exist before the loop are carried from step to step, <c>x[.., t]</c> reads step t of a sequence, and
    /// <c>outputs[t] = v</c> collects per-step results.
    /// </summary>
    private void LowerScan(ForStmt f, Dictionary<string, Value> env, Dim length, bool reverse)
    {
        var frame = new ScanFrame(_b, length, reverse);
        var assigned = new HashSet<string>();
        Assigned(f.Body, assigned);
        var carried = assigned.Where(n => env.ContainsKey(n) && n != f.Var).OrderBy(n => n, System.StringComparer.Ordinal).ToList();
        var inner = new Dictionary<string, Value>(env);
        foreach (var name in carried)
        {
            if (env[name] is not TensorValue tv)
                Fail(DiagnosticDescriptors.Unsupported, f.Location, Method, $"changing '{name}' ({Describe(env[name])}) in a loop over {length}",
                    "carry tensors from step to step; compute numbers and flags before the loop");
            else inner[name] = new TensorValue(frame.Carry(tv.Node));
        }
        inner[f.Var] = new StepValue(frame);
        var outer = _b;
        _b = frame.Body;
        _scans.Add(frame);
        try
        {
            Value? returned = null;
            if (Exec(f.Body, inner, ref returned))
                Fail(DiagnosticDescriptors.Unsupported, f.Location, Method, $"'return' inside a loop over {length}", "keep the value in a local and return after the loop");
        }
        finally
        {
            _b = outer;
            _scans.RemoveAt(_scans.Count - 1);
        }
        var body = frame.Body.Graph;
        Node Own(Node n) => n.Owner == body ? n : body.Capture!(n);
        for (int i = 0; i < carried.Count; i++)
        {
            var after = inner[carried[i]] as TensorValue;
            if (after is null)
                Fail(DiagnosticDescriptors.Unsupported, f.Location, Method, $"'{carried[i]}' becoming {Describe(inner[carried[i]])} in a loop over {length}", "carry tensors of one shape from step to step");
            var node = Own(after!.Node);
            if (!node.Shape.Equals(frame.Carries[i].Shape))
                Fail(DiagnosticDescriptors.ShapeMismatch, f.Location, "loop",
                    $"'{carried[i]}' is carried from step to step, so it must keep its shape: {frame.Carries[i].Shape} before the loop, {node.Shape} after a step");
            body.SetOutput(ScanBody.Carry(i), node);
        }
        for (int q = 0; q < frame.Ys.Count; q++) body.SetOutput(ScanBody.Y(q), Own(frame.Ys[q].Value));
        var sb = new ScanBody(body, length, carried.Count, frame.Xs.Select(x => x.Axis).ToArray(), frame.Invariants.Count, frame.Ys.Count, reverse);
        var outs = Guarded(f.Location, "loop", () => new ArrayValue(_b.Scan(sb, frame.Carries, frame.Xs.Select(x => x.Outer).ToList(),
            frame.Invariants.Select(v => v.Outer).ToList()).Select(n => (Value)new TensorValue(n)).ToList()));
        var results = ((ArrayValue)outs).Items;
        for (int i = 0; i < carried.Count; i++) env[carried[i]] = results[i];
        for (int q = 0; q < frame.Ys.Count; q++) frame.Ys[q].Sequence.Stacked = ((TensorValue)results[carried.Count + q]).Node;
    }

    /// <summary><c>outputs[t] = v</c> in a loop over time: v is this step's result of the sequence.</summary>
    private void StepResult(ElementAssignStmt ea, SequenceValue seq, Dictionary<string, Value> env)
    {
        var frame = _scans.Count > 0 ? _scans[_scans.Count - 1] : null;
        if (Eval(ea.Index, env) is not StepValue st || st.Frame != frame)
            Fail(DiagnosticDescriptors.Unsupported, ea.Index.Location, Method, $"an element of '{ea.Local}' ({Describe(seq)}) other than the current step",
                $"assign outputs[t] inside the loop over {seq.Length} whose index is t");
        if (seq.Length != frame!.Length)
            Fail(DiagnosticDescriptors.ShapeMismatch, ea.Location, "indexing", $"'{ea.Local}' holds {seq.Length} elements, but the loop runs over {frame.Length} steps");
        var value = Eval(ea.Value, env) as TensorValue
            ?? Fail(DiagnosticDescriptors.Unsupported, ea.Value.Location, Method, "a per-step result that is not a tensor", "assign a tensor") as TensorValue;
        frame.Ys.RemoveAll(y => ReferenceEquals(y.Sequence, seq));
        frame.Ys.Add((seq, value!.Node));
    }

    /// <summary><c>x[.., t]</c> in a loop over time: step t of a sequence from before the loop.</summary>
    private Value StepRead(CallExpr call, List<Value> args, StepValue step)
    {
        var frame = _scans[_scans.Count - 1];
        if (step.Frame != frame)
            return Fail(DiagnosticDescriptors.Unsupported, call.Location, Method, "indexing with the step of an enclosing loop", "read the sequence in that loop and pass the step in a local");
        return Guarded(call.Location, "Select", () =>
        {
            var x = OpLowering.AsTensor(_b, args[0], "Select");
            int axis = GraphBuilder.NormalizeAxis(OpLowering.AsInt(args[1], "Select"), x.Shape.Rank, "Select");
            if (x.Owner == frame.Body.Graph)
                throw new ShapeError(ShapeErrorKind.InvalidArgument, $"x[.., t] reads a tensor computed inside the loop over {frame.Length}; index a sequence computed before the loop");
            if (x.Shape[axis] != frame.Length)
                throw new ShapeError(ShapeErrorKind.Mismatch, $"x[.., t] reads axis {axis} of {x.Shape}, but the loop runs over {frame.Length} steps");
            return new TensorValue(frame.Step(x, axis));
        });
    }

    private Value StackSequence(CallExpr call, SequenceValue seq, List<Value> args) => Guarded(call.Location, "Stack", () =>
    {
        if (seq.Stacked is not { } stacked)
            throw new ShapeError(ShapeErrorKind.InvalidArgument, $"the array of {seq.Length} tensors is stacked before a loop over {seq.Length} filled it");
        int r = stacked.Shape.Rank;
        int axis = GraphBuilder.NormalizeAxis(args.Count > 1 ? OpLowering.AsInt(args[1], "Stack") : 0, r, "Stack");
        if (axis == 0) return new TensorValue(stacked);
        return new TensorValue(_b.Permute(stacked, Enumerable.Range(0, r).Select(a => a == axis ? 0 : a < axis ? a + 1 : a).ToArray()));
    });

    private Value SequenceElement(IndexExpr ix, SequenceValue seq, Value index)
    {
        if (index is StepValue || seq.Stacked is null)
            return Fail(DiagnosticDescriptors.Unsupported, ix.Location, Method, $"reading an element of {Describe(seq)} inside the loop that fills it",
                "keep the value in a local (it is carried to the next step)");
        return Guarded(ix.Location, "indexing", () => new TensorValue(_b.Select(seq.Stacked, 0, OpLowering.AsInt(index, "indexing"))));
    }

    /// <summary>Stops with GN0026 as soon as the unrolled graph passes the limit (before unrolling takes minutes).</summary>
    private void CheckSize(LocationInfo site)
    {
        int n = _b.Graph.Nodes.Count;
        if (n > ModelCompilation.MaxGraphNodes)
            Fail(DiagnosticDescriptors.ModelTooLarge, site, Method, n.ToString(CultureInfo.InvariantCulture), ModelCompilation.MaxGraphNodes.ToString(CultureInfo.InvariantCulture));
    }

    private Value Call(Instance self, string name, string key, EquatableArray<Expr> argExprs, Dictionary<string, Value> env, LocationInfo site)
    {
        CheckSize(site);
        if (self.Spec.HasErrors) throw new LoweringFailed();
        var target = self.Spec.Methods.FirstOrDefault(m => m.Key == key);
        if (target is null)
            return Fail(DiagnosticDescriptors.Unsupported, site, Method, $"a call to '{name}'", "call spec methods that return Tensor or a tuple of tensors");
        if (target.OtherReturnType is { } other)
            return Fail(DiagnosticDescriptors.SpecNotTensor, site, name, $"'{other}'");
        if (target.Body.Count == 0) throw new LoweringFailed(); // its body has its own error
        if (_frames.Any(f => f.Key == self.Path + key))
            return Fail(DiagnosticDescriptors.Recursive, site, name, Method);
        var actual = argExprs.Select(x => Eval(x, env)).ToList();
        CheckDeclaredShapes(target, actual, argExprs, name);
        return LowerMethod(self, target, actual, site);
    }

    /// <summary>Math.Sqrt(d) and the like on numbers known at build time: evaluated now (in double).</summary>
    private Value ConstantMath(CallExpr call, List<Value> args)
    {
        var xs = new double[args.Count];
        for (int i = 0; i < args.Count; i++)
            xs[i] = args[i] switch
            {
                ScalarValue s => s.Value,
                DimValue { Dim.IsConstant: true } d => d.Dim.Coef,
                var other => Fail(DiagnosticDescriptors.Unsupported, call.Location, Method, $"'{call.Op}' of {Describe(other)}",
                    $"Math and MathF work on numbers known at build time; for tensors and run-time values call GraphNet.Ops ({call.Op.Substring(5)} of a tensor)") switch { _ => 0d },
            };
        double a = xs.Length > 0 ? xs[0] : 0, b = xs.Length > 1 ? xs[1] : 0;
        return new ScalarValue(call.Op.Substring(5) switch
        {
            "Sqrt" => System.Math.Sqrt(a), "Log" => xs.Length > 1 ? System.Math.Log(a, b) : System.Math.Log(a), "Exp" => System.Math.Exp(a),
            "Pow" => System.Math.Pow(a, b), "Abs" => System.Math.Abs(a), "Max" => System.Math.Max(a, b), "Min" => System.Math.Min(a, b),
            "Sin" => System.Math.Sin(a), "Cos" => System.Math.Cos(a), "Tanh" => System.Math.Tanh(a), "Floor" => System.Math.Floor(a),
            "Ceiling" => System.Math.Ceiling(a), "Log2" => System.Math.Log(a, 2), "Log10" => System.Math.Log10(a),
            var f => Fail(DiagnosticDescriptors.Unsupported, call.Location, Method, $"Math.{f}", "use GraphNet.Ops") switch { _ => 0d },
        });
    }

    /// <summary>The assignments to [Param] and [Buffer] fields, by graph name, in order: an [Update] entry commits them after its computation.</summary>
    public List<(string Field, string Path, Node Value, LocationInfo Location)> Updates { get; } = new();

    private void AssignField(FieldAssignStmt fa, Dictionary<string, Value> env)
    {
        var self = Self;
        if (!self.Params.TryGetValue(fa.Field, out var slot))
        {
            Fail(DiagnosticDescriptors.Unsupported, fa.Location, Method, $"an assignment to '{fa.Field}', which is not a [Param] or [Buffer] field",
                "assign locals, or [Param] and [Buffer] fields in a method an [Update] entry runs");
            return;
        }
        if (_scans.Count > 0)
            Fail(DiagnosticDescriptors.Unsupported, fa.Location, Method, $"an assignment to '{fa.Field}' inside a loop over a length known only at run time",
                "carry the new value in a local through the loop and assign the field after it");
        var assigned = Eval(fa.Value, env);
        if (assigned is not (TensorValue or ScalarValue or DimValue))
        {
            Fail(DiagnosticDescriptors.InvalidArgument, fa.Location, $"the assignment to '{fa.Field}'", $"expected a tensor or a number, got {Describe(assigned)}");
            return;
        }
        var value = OpLowering.AsTensor(_b, assigned, "assignment");
        if (!value.Shape.Equals(_nodes[slot.Graph].Shape))
            Fail(DiagnosticDescriptors.ShapeMismatch, fa.Location, slot.Path, $"it is assigned a value of shape {value.Shape}; the field has shape {_nodes[slot.Graph].Shape}");
        Updates.RemoveAll(u => u.Field == slot.Graph);
        Updates.Add((slot.Graph, slot.Path, value, fa.Location));
    }

    private Value Field(string name, LocationInfo loc)
    {
        var self = Self;
        if (self.Params.TryGetValue(name, out var slot))
        {
            // in program order, as when the method runs as C#: a read after an assignment sees the assigned value
            int assigned = Updates.FindIndex(u => u.Field == slot.Graph);
            if (assigned >= 0) return new TensorValue(Updates[assigned].Value);
            return _nodes.TryGetValue(slot.Graph, out var node) ? new TensorValue(node) : throw new LoweringFailed();
        }
        if (self.Subs.TryGetValue(name, out var sub)) return sub;
        if (self.Config.TryGetValue(name, out var c)) return c;
        if (self.Spec.Params.Any(q => q.Name == name && q.IsBroken)) throw new LoweringFailed(); // its own error is reported
        if (self.Spec.Submodules.Any(s => s.Name == name)) throw new LoweringFailed();
        return Fail(DiagnosticDescriptors.Unsupported, loc, Method, $"'{name}'", "refer to spec arguments, locals, [Param] and [Buffer] fields, sub-modules, config values and constants");
    }

    /// <summary>A called spec method's [Shape] must agree with its arguments: constants equal, names consistent.</summary>
    private void CheckDeclaredShapes(SpecMethod target, List<Value> actual, EquatableArray<Expr> args, string method)
    {
        var names = new Dictionary<string, Dim>();
        for (int i = 0; i < target.Inputs.Count && i < actual.Count; i++)
        {
            var input = target.Inputs[i];
            if (!input.HasShape || input.ScalarType is not null || actual[i] is not TensorValue t) continue;
            var got = t.Node.Shape;
            bool ok = got.Rank == input.Shape.Count;
            for (int a = 0; ok && a < got.Rank; a++)
            {
                var want = input.Shape[a];
                if (int.TryParse(want, out var c)) ok = got[a] == Dim.Const(c);
                else if (names.TryGetValue(want, out var bound)) ok = bound == got[a];
                else names[want] = got[a];
            }
            if (!ok)
                Fail(DiagnosticDescriptors.ShapeMismatch, i < args.Count ? args[i].Location : null, method,
                    $"argument '{input.Name}' has shape {got}, but '{target.Name}' declares [{string.Join(", ", input.Shape)}]");
        }
    }

    private static readonly string[] Comparisons = { "<", "<=", ">", ">=", "==", "!=" };

    private Value Binary(BinaryExpr bin, Value l, Value r)
    {
        // an entry's int argument with a dim is dim arithmetic: samples * x.Shape[0] is a size (with a tensor or a
        // number it stays a number: Softmax(z) + shift)
        static Value? Count(Value v) => v is TensorValue { Node: { Op: OpKind.Input, Attrs.DimValue: { IsConstant: false } d } } ? new DimValue(d) : null;
        if (Count(l) is { } cl && (r is DimValue || Count(r) is not null)) l = cl;
        if (Count(r) is { } cr && l is DimValue) r = cr;
        if (Comparisons.Contains(bin.Operator)) return Compare(bin, l, r);
        string name = bin.Operator switch { "+" => "add", "-" => "sub", "*" => "mul", "%" => "remainder", _ => "div" };
        if (l is ScalarValue ls && r is ScalarValue rs)
            return new ScalarValue(bin.Operator switch
            {
                "+" => ls.Value + rs.Value, "-" => ls.Value - rs.Value, "*" => ls.Value * rs.Value,
                "%" => rs.Value == 0 ? Fail(DiagnosticDescriptors.InvalidArgument, bin.Location, "remainder", "division by zero") switch { _ => 0d } : ls.Value % rs.Value,
                _ => ls.Value / rs.Value,
            });
        if (bin.Operator == "%")
            return Fail(DiagnosticDescriptors.Unsupported, bin.Location, Method, "'%' on tensors or symbolic dims", "use % on compile-time numbers");
        static bool Fractional(Value v) => v is ScalarValue s && s.Value != System.Math.Floor(s.Value);
        if (l is DimValue or ScalarValue && r is DimValue or ScalarValue && !Fractional(l) && !Fractional(r)) // T - 0.5 is a number, not a dim
        {
            Dim a = OpLowering.AsDim(l, name), c = OpLowering.AsDim(r, name);
            if (bin.Operator == "*") return new DimValue(a * c);
            if (bin.Operator == "/" && Dim.TryDivide(a, c) is { } q) return new DimValue(q);
            if (a.IsConstant && c.IsConstant && bin.Operator == "/")
                return new DimValue(Dim.Const(a.Coef / c.Coef));
            if (bin.Operator is "+" or "-") return new DimValue(bin.Operator == "+" ? a + c : a - c); // T - 1, T + S: dims (shapes), and numbers known at run time
        }
        return Guarded(bin.Location, name, () =>
        {
            Node a = OpLowering.AsTensor(_b, l, name), c = OpLowering.AsTensor(_b, r, name);
            return new TensorValue(bin.Operator switch { "+" => _b.Add(a, c), "-" => _b.Sub(a, c), "*" => _b.Mul(a, c), _ => _b.Div(a, c) });
        });
    }

    private Value Compare(BinaryExpr bin, Value l, Value r)
    {
        double? Num(Value v) => v switch
        {
            ScalarValue s => s.Value,
            DimValue { Dim.IsConstant: true } d => d.Dim.Coef,
            _ => null,
        };
        if (l is BoolValue lb && r is BoolValue rb && bin.Operator is "==" or "!=")
            return new BoolValue(bin.Operator == "==" ? lb.Value == rb.Value : lb.Value != rb.Value);
        if (Num(l) is not { } a || Num(r) is not { } c)
        {
            bool symbolic = l is DimValue || r is DimValue;
            return Fail(DiagnosticDescriptors.NotConstant, bin.Location, $"The comparison '{bin.Operator}'",
                symbolic ? "a comparison with a dim bound at run time; a loop over a run-time dim is written 'for (int t = 0; t < T; t++)' or 'for (int t = T - 1; t >= 0; t--)'"
                         : $"a comparison of {Describe(l)} and {Describe(r)}; compare tensors with Ops.Lt, Ops.Gt, ...");
        }
        return new BoolValue(bin.Operator switch { "<" => a < c, "<=" => a <= c, ">" => a > c, ">=" => a >= c, "==" => a == c, _ => a != c });
    }

    private static int Int(Value v, LocationInfo loc, string what) => v switch
    {
        ScalarValue s when s.Value == System.Math.Floor(s.Value) && System.Math.Abs(s.Value) <= int.MaxValue => (int)s.Value,
        DimValue { Dim.IsConstant: true } d when System.Math.Abs(d.Dim.Coef) <= int.MaxValue => (int)d.Dim.Coef,
        _ => throw new LoweringFailed(),
    };

    private Value Guarded(LocationInfo loc, string op, System.Func<Value> f)
    {
        try
        {
            var v = f();
            if (v is TensorValue { Node.Shape.Size: var size } t && size.Coef > ModelParser.MaxElements)
                Fail(DiagnosticDescriptors.TooLarge, loc, op, t.Node.Shape.ToString(), size.ToString(), ModelParser.MaxElements.ToString(CultureInfo.InvariantCulture));
            return v;
        }
        catch (ShapeError e)
        {
            var d = e.Kind switch
            {
                ShapeErrorKind.Mismatch => DiagnosticDescriptors.ShapeMismatch,
                ShapeErrorKind.WrongRank => DiagnosticDescriptors.WrongRank,
                ShapeErrorKind.InvalidArgument => DiagnosticDescriptors.InvalidArgument,
            };
            return Fail(d, loc, op, e.Message);
        }
    }

    public static string Describe(Value v) => v switch
    {
        NullValue => "null",
        BoolValue b => b.Value ? "true" : "false",
        StringValue => "a string",
        ArrayValue a => $"an array or tuple of {a.Items.Count}",
        ModuleValue m => $"the module {m.Instance.Describe("")}",
        TensorValue t => $"a tensor of shape {t.Node.Shape}",
        DimValue d => d.Dim.IsConstant ? d.Dim.ToString() : $"the dim {d.Dim}, bound at run time",
        StepValue st => $"the step index of a loop over {st.Frame.Length} (use it to index sequences: x[.., t], outputs[t])",
        SequenceValue sq => $"an array of {sq.Length} tensors filled by a loop",
        ScalarValue s => s.Value.ToString(CultureInfo.InvariantCulture),
        _ => "a value",
    };

    /// <summary>
    /// Records a diagnostic and stops lowering. Inside a module the message names the module and the spec methods
    /// that called into it, the call sites become additional locations, and a module compiled elsewhere (no source)
    /// reports at the innermost call site in this project.
    /// </summary>
    private Value Fail(Microsoft.CodeAnalysis.DiagnosticDescriptor d, LocationInfo? loc, params string[] args)
    {
        var sites = _frames.Where(f => f.CallSite is { Id: >= 0 }).Select(f => f.CallSite!).ToList();
        var inModule = _frames.LastOrDefault(f => f.Self.Path.Length > 0);
        if (inModule is not null && args.Length > 0)
        {
            var chain = string.Join(" ← ", _frames.Where(f => f.Key.Length > 0).Reverse().Select(f => (f.Self.Path.Length == 0 ? _model.ClassName : f.Self.Spec.Name) + "." + f.Method));
            args = args.ToArray();
            args[args.Length - 1] += $" (in module {inModule.Self.Describe(_model.ClassName)}, via {chain})";
        }
        if (loc is null or { Id: < 0 }) loc = sites.LastOrDefault() ?? loc;
        _diags.Add(DiagnosticDescriptors.Info(d, loc, args) with { Also = sites.Where(s => s != loc).ToEquatable() });
        throw new LoweringFailed();
    }
}
