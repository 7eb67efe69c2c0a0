package procpool_test

import (
	"context"
	"fmt"
	"log"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/procpool"
)

// WithCgroup confines each worker and whatever its tasks start to 256 MiB and 64
// processes: by the kernel's cgroup controllers where this program's cgroup delegates
// them, by the pool's fallbacks elsewhere. A worker's death takes its whole cgroup with
// it.
func ExampleWithCgroup() {
	pool, err := procpool.New(procpool.WithWorkers(2),
		procpool.WithCgroup(procpool.CgroupLimits{MemoryMax: 256 << 20, PidsMax: 64}))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	ctx := context.Background()
	f, err := executor.Submit(ctx, pool, Cube, 4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Result(ctx))
	// Output: 64 <nil>
}
