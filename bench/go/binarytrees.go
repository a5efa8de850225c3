// binarytrees.go - the binary-trees benchmark in Go, the design model of
// tricolor's collector.  One heap object per node (&Node escapes: it is
// returned), GOGC as in the environment (default 100), GOMAXPROCS default.
// Spec: /work/shared/bench/binary-trees.md; docs in docs/benchmarks.md.
//
// Pauses, per the spec "each STW phase separately": the runtime/metrics
// histogram /gc/pauses:seconds records each stop-the-world phase on its
// own; its buckets are exponential (a few percent wide), so pause_max_ms is
// the upper bound of the highest non-empty bucket.  pause_total_ms is the
// exact MemStats.PauseTotalNs; cycle_pause_max_ms is the largest
// MemStats.PauseNs entry, which sums the two STW phases of one cycle.
// Go 1.19 exposes no mark-assist time, so no assist_ms is printed.
package main

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"
)

type Node struct {
	left, right *Node
	item        int32
}

const minDepth = 4

func bottomUpTree(depth int) *Node {
	if depth > 0 {
		l := bottomUpTree(depth - 1)
		r := bottomUpTree(depth - 1)
		return &Node{left: l, right: r, item: int32(depth)}
	}
	return &Node{left: nil, right: nil, item: 0}
}

func (n *Node) itemCheck() int64 {
	if n.left == nil {
		return 1
	}
	return 1 + n.left.itemCheck() + n.right.itemCheck()
}

func runTrees(count int64, depth int) int64 {
	var check int64
	for i := int64(0); i < count; i++ {
		check += bottomUpTree(depth).itemCheck()
	}
	return check
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: %s MAXDEPTH [WORKERS]\n"+
		"  MAXDEPTH: 0..28 (depths below 6 run as 6)\n"+
		"  WORKERS:  1..64 goroutines for the short-lived trees "+
		"(default 1: main goroutine)\n", os.Args[0])
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		usage()
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 0 || n > 28 {
		usage()
	}
	workers := 1
	if len(os.Args) == 3 {
		workers, err = strconv.Atoi(os.Args[2])
		if err != nil || workers < 1 || workers > 64 {
			usage()
		}
	}
	t0 := time.Now()
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)

	maxDepth := n
	if maxDepth < 6 {
		maxDepth = 6
	}
	stretchDepth := maxDepth + 1

	fmt.Printf("stretch tree of depth %d\t check: %d\n", stretchDepth,
		bottomUpTree(stretchDepth).itemCheck())

	longLived := bottomUpTree(maxDepth)

	for d := minDepth; d <= maxDepth; d += 2 {
		iters := int64(1) << uint(maxDepth-d+minDepth)
		var check int64
		if workers <= 1 {
			check = runTrees(iters, d)
		} else {
			checks := make([]int64, workers)
			var wg sync.WaitGroup
			for i := 0; i < workers; i++ {
				share := iters / int64(workers)
				if int64(i) < iters%int64(workers) {
					share++
				}
				wg.Add(1)
				go func(i int, share int64, d int) {
					defer wg.Done()
					checks[i] = runTrees(share, d)
				}(i, share, d)
			}
			wg.Wait()
			for _, c := range checks {
				check += c
			}
		}
		fmt.Printf("%d\t trees of depth %d\t check: %d\n", iters, d, check)
	}

	fmt.Printf("long lived tree of depth %d\t check: %d\n", maxDepth,
		longLived.itemCheck())
	wall := time.Since(t0)

	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	sample := []metrics.Sample{{Name: "/gc/pauses:seconds"}}
	metrics.Read(sample)
	var pauses uint64
	pauseMax := 0.0
	if sample[0].Value.Kind() == metrics.KindFloat64Histogram {
		h := sample[0].Value.Float64Histogram()
		for i, c := range h.Counts {
			if c == 0 {
				continue
			}
			pauses += c
			hi := h.Buckets[i+1]
			if math.IsInf(hi, 1) {
				hi = h.Buckets[i]
			}
			pauseMax = hi
		}
	}
	var cycleMax uint64
	ncycles := ms.NumGC - ms0.NumGC
	for i := uint32(0); i < ncycles && i < 256; i++ {
		p := ms.PauseNs[(ms.NumGC+255-i)%256]
		if p > cycleMax {
			cycleMax = p
		}
	}
	gogc := os.Getenv("GOGC")
	if gogc == "" {
		gogc = "100"
	}
	fmt.Fprintf(os.Stderr, "stats: collector=go collections=%d "+
		"pause_total_ms=%.3f pause_max_ms=%.3f pauses=%d "+
		"cycle_pause_max_ms=%.3f gc_cpu_fraction=%.4f heap_sys_mb=%.1f "+
		"gogc=%s gomaxprocs=%d go=%s workers=%d wall_ms=%.1f\n",
		ncycles, float64(ms.PauseTotalNs-ms0.PauseTotalNs)/1e6,
		pauseMax*1e3, pauses, float64(cycleMax)/1e6, ms.GCCPUFraction,
		float64(ms.HeapSys)/1048576.0, gogc, runtime.GOMAXPROCS(0),
		runtime.Version(), workers, float64(wall.Nanoseconds())/1e6)
}
