package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dualpool/dualpool/examples/internal/exampletest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDownload(t *testing.T) {
	bin := exampletest.Build(t)
	t.Run("dir", func(t *testing.T) { testDir(t, bin) })
	t.Run("temp dir", func(t *testing.T) { testTempDir(t, bin) })
}

// testDir checks the output, with the URLs in order and each failure's reason, and the
// files that arrived.
func testDir(t *testing.T, bin string) {
	dir := t.TempDir()
	out := exampletest.MustRun(t, bin, "-timeout", "300ms", "-dir", dir)

	// The server's port changes from run to run: name it BASE.
	base := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(out.Stdout)
	if base == "" {
		t.Fatalf("no server URL in the output:\n%s", out.Stdout)
	}
	got := strings.NewReplacer(base, "BASE", dir, "DIR").Replace(out.Stdout)
	want := `Serving test files at BASE
Saving to DIR
Successfully downloaded file1.zip
Failed to download BASE/files/missing.txt: server answered 404 Not Found
Successfully downloaded file2.pdf
Failed to download BASE/slow/file4.iso: no answer within 300ms: context deadline exceeded
Successfully downloaded file3.png

Downloaded files: [file1.zip file2.pdf file3.png]
`
	if got != want {
		t.Errorf("download printed:\n%s\nwant:\n%s", got, want)
	}

	// The three files are there, whole; the failed ones left nothing behind.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"file1.zip", "file2.pdf", "file3.png"}; !slices.Equal(names, want) {
		t.Errorf("files in the directory: %v; want %v", names, want)
	}
	for name, size := range map[string]int{"file1.zip": 2048, "file2.pdf": 4096, "file3.png": 1024} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Error(err)
			continue
		}
		if !bytes.Equal(b, content(name, size)) {
			t.Errorf("%s: %d bytes that differ from what the server sent (%d bytes)", name, len(b), size)
		}
	}
}

// testTempDir checks that without -dir the files go to a temporary directory that is
// removed at exit.
func testTempDir(t *testing.T, bin string) {
	out := exampletest.MustRun(t, bin, "-timeout", "300ms")
	m := regexp.MustCompile(`(?m)^Saving to (.+)$`).FindStringSubmatch(out.Stdout)
	if m == nil {
		t.Fatalf("no directory in the output:\n%s", out.Stdout)
	}
	if _, err := os.Stat(m[1]); !os.IsNotExist(err) {
		t.Errorf("after the run, Stat(%s) = %v; want it removed", m[1], err)
		os.RemoveAll(m[1])
	}
	if !strings.Contains(out.Stdout, "Downloaded files: [file1.zip file2.pdf file3.png]") {
		t.Errorf("output lacks the three files:\n%s", out.Stdout)
	}
}
