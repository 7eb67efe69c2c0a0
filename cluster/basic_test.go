package cluster_test

import (
	"context"
	"slices"
	"testing"

	"github.com/dualpool/dualpool/executor"
	"github.com/dualpool/dualpool/internal/workloads"
)

func TestSubmit(t *testing.T) {
	p := newPool(t)
	ctx := context.Background()
	f, err := executor.Submit(ctx, p, workloads.Square, 7)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if v, err := f.Result(ctx); v != 49 || err != nil {
		t.Fatalf("Submit(7) = %v, %v; want 49, <nil>", v, err)
	}
	var got []int
	for v, err := range executor.Map(ctx, p, workloads.Square, slices.Values([]int{1, 2, 3, 4, 5}), executor.Chunk(2)) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if !slices.Equal(got, []int{1, 4, 9, 16, 25}) {
		t.Fatalf("Map = %v", got)
	}
}
