#!/usr/bin/env python3
# Per-request instruction split of callgrind dumps of a whole node server (callgrind-server.mjs KEEP=<file>: all
# threads in one dump), so that V8's compile jobs and major GCs, which a short window under valgrind counts far
# more of than a native run does, can be read apart from the requests' own work.
#   python3 bench/callgrind/threads.py <requests counted> <dump>...
#  Columns (inclusive costs from callgrind_annotate --inclusive=yes):
#  helpers = node's platform worker threads (PlatformWorkerThread, inclusive): V8's concurrent compile + GC helpers
#  compile = OptimizedCompilationJob::ExecuteJob (TurboFan/Maglev jobs, on the helpers)
#  main = total - helpers; mainGC = Heap::CollectGarbage + incremental-marking steps (main thread)
#  mainRest = main - mainGC - main-thread compile (FinalizeJob, lazy Compiler::Compile, baseline batches)
import subprocess, sys, re
n = int(sys.argv[1])
for f in sys.argv[2:]:
    out = subprocess.run(['callgrind_annotate', '--inclusive=yes', '--threshold=100', f], capture_output=True, text=True).stdout
    rows = []
    total = None
    for line in out.splitlines():
        m = re.match(r'\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)', line)
        if not m: continue
        v = int(m.group(1).replace(',', ''))
        if 'PROGRAM TOTALS' in m.group(2): total = v; continue
        rows.append((v, m.group(2)))
    def inc(pat, first=True):
        vals = [v for v, name in rows if re.search(pat, name)]
        return (vals[0] if vals else 0) if first else sum(vals)
    helpers = inc(r'PlatformWorkerThread\(void\*\)')
    compile_ = inc(r'OptimizedCompilationJob::ExecuteJob\(')
    gc_main = inc(r'v8::internal::Heap::CollectGarbage\(v8::internal::AllocationSpace') \
        + inc(r'IncrementalMarking::Step\(') + inc(r'IncrementalMarking::AdvanceOnAllocation|IncrementalMarking::AdvanceAndFinalizeIfComplete|IncrementalMarking::Start\(')
    mc_main = inc(r'v8::internal::Heap::CollectGarbage\(v8::internal::AllocationSpace') - inc(r'v8::internal::Heap::Scavenge\(\)') - inc(r'MinorMarkSweepCollector::CollectGarbage')
    comp_main = inc(r'OptimizedCompilationJob::FinalizeJob\(') + inc(r'v8::internal::Compiler::Compile\(') + inc(r'BaselineBatchCompiler::CompileBatch\(')
    main = total - helpers
    k = lambda x: f'{x / n / 1000:.1f}'
    print(f"{f.split('/')[-1]:<48} total {k(total)}k  main {k(main)}k (GC {k(gc_main)}k of which major {k(mc_main)}k; compile {k(comp_main)}k; rest {k(main - gc_main - comp_main)}k)  helpers {k(helpers)}k (compile {k(compile_)}k, other {k(helpers - compile_)}k)")
