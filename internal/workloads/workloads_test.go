package workloads_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/dualpool/dualpool/backend"
	"github.com/dualpool/dualpool/internal/workloads"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGuideTasks(t *testing.T) {
	ctx := context.Background()
	if got, err := workloads.Square.Call(ctx, 7); got != 49 || err != nil {
		t.Errorf("Square(7) = %d, %v; want 49, <nil>", got, err)
	}
	if got, err := workloads.SumOfSquares.Call(ctx, 10_000_000); got != "333333283333335000000" || err != nil {
		t.Errorf("SumOfSquares(1e7) = %s, %v; want 333333283333335000000, <nil>", got, err)
	}
	if got, _ := workloads.SumOfSquares.Call(ctx, 4); got != "14" {
		t.Errorf("SumOfSquares(4) = %s; want 14", got)
	}
	if got, err := workloads.Sleep.Call(ctx, workloads.SleepArgs{Name: "A"}); got != "Result from task A" || err != nil {
		t.Errorf("Sleep(A) = %q, %v; want %q, <nil>", got, err, "Result from task A")
	}
	if got, _ := workloads.LargeResult.Call(ctx, 300); len(got) != 300 || got[255] != 4 {
		t.Errorf("LargeResult(300) = %d bytes, [255]=%d; want 300 bytes, [255]=4", len(got), got[255])
	}
}

func TestFetch(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("hello"))
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "out")
	n, err := workloads.Fetch.Call(context.Background(), workloads.FetchArgs{URL: srv.URL, Path: path})
	if n != 5 || err != nil {
		t.Fatalf("Fetch = %d, %v; want 5, <nil>", n, err)
	}
	if b, _ := os.ReadFile(path); string(b) != "hello" {
		t.Errorf("file holds %q; want %q", b, "hello")
	}
}

func TestNamesRegistered(t *testing.T) {
	for _, name := range []string{"workloads.sleep", "workloads.square", "workloads.sum_of_squares",
		"workloads.fetch", "workloads.panic", "workloads.exit", "workloads.kill_self",
		"workloads.fatal_error", "workloads.hang", "workloads.leak", "workloads.hold",
		"workloads.noise", "workloads.large_result", "workloads.echo", "workloads.pid",
		"workloads.getenv", "workloads.fail"} {
		if _, ok := backend.Lookup(name); !ok {
			t.Errorf("Lookup(%q) = false; want true", name)
		}
	}
}

// TestShape: Shape tells nil from empty, shows an interface's dynamic type, and shows a
// time by its instant and offset only.
func TestShape(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	when := time.Date(2026, time.December, 6, 9, 30, 0, 5, cet)
	for _, c := range []struct {
		v    any
		want string
	}{
		{[]int(nil), "nil"},
		{[]int{}, "[0:]"},
		{[]byte{7}, `[1: "7"]`},
		{map[string]int{"b": 2, "a": 1}, `map[2: "a":"1" "b":"2"]`},
		{workloads.Loose{Name: "n", Extra: 7}, `{Name:"n" Extra:int("7")}`},
		{workloads.Record{Next: &workloads.Record{Counts: []int{}}, When: when}, `{Name:"" Tags:nil Counts:nil Attrs:nil ` +
			`Next:&{Name:"" Tags:nil Counts:[0:] Attrs:nil Next:nil Data:nil When:0001-01-01T00:00:00Z} Data:nil ` +
			`When:2026-12-06T09:30:00.000000005+01:00}`},
		{when.In(time.FixedZone("other name", 3600)), "2026-12-06T09:30:00.000000005+01:00"},
	} {
		if got := workloads.Shape(c.v); got != c.want {
			t.Errorf("Shape(%#v) = %s; want %s", c.v, got, c.want)
		}
	}
}
