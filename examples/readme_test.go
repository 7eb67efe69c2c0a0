package examples_test

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The README's Go code is kept true by marking each ```go block with an HTML comment on
// the line before its fence (blank lines between are allowed):
//
//	<!-- example: tasks/main.go -->  the block is an excerpt of examples/tasks/main.go: its
//	                                 lines appear in the file in that order, contiguously,
//	                                 except where a line "// ..." stands for lines left out.
//	                                 Lines are compared without leading and trailing space.
//	<!-- compile -->                 the block is a whole Go file that must build against
//	                                 this module (go build with an overlay; nothing is
//	                                 written to the tree).
//
// Blocks without a mark are not checked; the test logs how many there are.

// readmePath is the README, relative to this directory; -readme checks a draft elsewhere.
var readmePath = flag.String("readme", "../README.md", "the README whose Go blocks to check")

type codeBlock struct {
	line int    // where the fence opens, 1-based
	mark string // "example: tasks/main.go", "compile", or ""
	text []string
}

var markRE = regexp.MustCompile(`^<!--\s*(example:\s*\S+|compile)\s*-->$`)

func readBlocks(t *testing.T, path string) []codeBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			t.Skipf("no %s yet", path)
		}
		t.Fatal(err)
	}
	defer f.Close()
	var blocks []codeBlock
	var cur *codeBlock
	mark := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur != nil && strings.HasPrefix(trimmed, "```"):
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text = append(cur.text, line)
		case trimmed == "```go":
			cur = &codeBlock{line: n, mark: mark}
			mark = ""
		case markRE.MatchString(trimmed):
			mark = markRE.FindStringSubmatch(trimmed)[1]
		case trimmed != "":
			mark = "" // a mark applies to the next block only if nothing but blank lines intervene
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: unterminated code block", path, cur.line)
	}
	return blocks
}

func TestReadmeCode(t *testing.T) {
	blocks := readBlocks(t, *readmePath)
	unmarked := 0
	for _, b := range blocks {
		switch {
		case strings.HasPrefix(b.mark, "example:"):
			file := strings.TrimSpace(strings.TrimPrefix(b.mark, "example:"))
			t.Run(fmt.Sprintf("line %d %s", b.line, file), func(t *testing.T) { checkExcerpt(t, b, file) })
		case b.mark == "compile":
			t.Run(fmt.Sprintf("line %d compile", b.line), func(t *testing.T) { checkCompiles(t, b) })
		default:
			unmarked++
		}
	}
	t.Logf("%s: %d Go blocks, %d not marked and not checked", *readmePath, len(blocks), unmarked)
}

// checkExcerpt checks that b's lines appear in file (relative to this directory) in order,
// contiguously between the "// ..." lines.
func checkExcerpt(t *testing.T, b codeBlock, file string) {
	if filepath.IsAbs(file) || strings.Contains(file, "..") {
		t.Fatalf("%s:%d: %q: want a path inside examples/", *readmePath, b.line, file)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%s:%d: %v", *readmePath, b.line, err)
	}
	have := trimAll(strings.Split(string(src), "\n"))
	pos := 0
	for _, seg := range segments(trimAll(b.text)) {
		i := indexLines(have[pos:], seg)
		if i < 0 {
			t.Errorf("%s:%d: these lines are not in %s (after what matched before them):\n%s",
				*readmePath, b.line, file, strings.Join(seg, "\n"))
			return
		}
		pos += i + len(seg)
	}
}

// segments splits lines at the "// ..." lines that stand for lines left out.
func segments(lines []string) [][]string {
	var segs [][]string
	var cur []string
	for _, l := range lines {
		if l == "// ..." || l == "// …" {
			if len(cur) > 0 {
				segs = append(segs, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		segs = append(segs, cur)
	}
	return segs
}

func trimAll(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimSpace(l)
	}
	return out
}

// indexLines returns where seg starts in lines, or -1.
func indexLines(lines, seg []string) int {
	for i := 0; i+len(seg) <= len(lines); i++ {
		match := true
		for j := range seg {
			if lines[i+j] != seg[j] {
				match = false
				break
			}
		}
		if match {
			return i
		}
	}
	return -1
}

// checkCompiles builds b as the only file of a package that does not exist on disk: an
// overlay puts it there for the go command alone.
func checkCompiles(t *testing.T, b codeBlock) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	src := filepath.Join(tmp, "block.go")
	if err := os.WriteFile(src, []byte(strings.Join(b.text, "\n")+"\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	pkgDir := filepath.Join(wd, "internal", "readmeblock", fmt.Sprintf("line%d", b.line))
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {filepath.Join(pkgDir, "block.go"): src}})
	if err != nil {
		t.Fatal(err)
	}
	overlayFile := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o666); err != nil {
		t.Fatal(err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	cmd := exec.CommandContext(t.Context(), goTool, "build", "-overlay", overlayFile, "-o", os.DevNull, "./"+filepath.ToSlash(mustRel(t, wd, pkgDir)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s:%d: the block does not build: %v\n%s", *readmePath, b.line, err, out)
	}
}

func mustRel(t *testing.T, base, target string) string {
	t.Helper()
	rel, err := filepath.Rel(base, target)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}
