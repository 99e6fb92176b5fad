package container

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const root = "../.."

// dockerfile is what the test reads of the Dockerfile.
type dockerfile struct {
	stages []string          // FROM lines, in order
	names  []string          // stage names (AS …)
	env    map[string]string // ENV of the build stage
	user   string            // USER of the final stage
}

func readDockerfile(t *testing.T) dockerfile {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := dockerfile{env: map[string]string{}}
	var logical strings.Builder
	sc := bufio.NewScanner(f)
	var lines []string
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(l, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(l, "\\"); ok {
			logical.WriteString(cont + " ")
			continue
		}
		logical.WriteString(l)
		lines = append(lines, logical.String())
		logical.Reset()
	}
	envPair := regexp.MustCompile(`(\w+)=("[^"]*"|\S+)`)
	for _, l := range lines {
		word, rest, _ := strings.Cut(l, " ")
		switch strings.ToUpper(word) {
		case "FROM":
			d.stages = append(d.stages, rest)
			if _, name, ok := strings.Cut(strings.ToUpper(rest), " AS "); ok {
				d.names = append(d.names, strings.ToLower(strings.TrimSpace(name)))
			}
			d.user = ""
		case "ENV":
			if len(d.stages) == 1 {
				for _, m := range envPair.FindAllStringSubmatch(rest, -1) {
					d.env[m[1]] = strings.Trim(m[2], `"`)
				}
			}
		case "USER":
			d.user = rest
		}
	}
	return d
}

// TestDockerfile: a multi-stage build whose final image is distroless
// static (or scratch) and runs as a non-root user; the binaries built with
// the Dockerfile's flags and CGO_ENABLED=0 are static.
func TestDockerfile(t *testing.T) {
	d := readDockerfile(t)
	if len(d.stages) < 2 {
		t.Fatalf("stages %q: want a build stage and a runtime stage", d.stages)
	}
	final := d.stages[len(d.stages)-1]
	if !strings.HasPrefix(final, "gcr.io/distroless/static") && final != "scratch" {
		t.Errorf("final stage %q: want distroless static or scratch", final)
	}
	if d.user == "" || d.user == "root" || strings.HasPrefix(d.user, "0") {
		t.Errorf("final stage runs as %q: want a non-root user", d.user)
	}
	if d.env["CGO_ENABLED"] != "0" {
		t.Errorf("build stage CGO_ENABLED=%q, want 0", d.env["CGO_ENABLED"])
	}
	if testing.Short() {
		t.Skip("building the binaries with the image's flags takes a while")
	}
	out := t.TempDir()
	for _, cmd := range []string{"sesame", "demo-product"} {
		bin := filepath.Join(out, cmd)
		build := exec.Command("go", "build", "-ldflags="+d.env["LDFLAGS"], "-o", bin, "./cmd/"+cmd)
		build.Dir = root
		build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS="+d.env["GOFLAGS"])
		if b, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build %s with the Dockerfile's flags: %v\n%s", cmd, err, b)
		}
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
				t.Errorf("%s is dynamically linked", cmd)
			}
		}
		f.Close()
	}
}

// TestCompose: PostgreSQL, a mail catcher, Sésame and the three demo
// panels; build targets exist in the Dockerfile; metrics are published on
// the loopback interface only.
func TestCompose(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(root, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Image       string         `yaml:"image"`
			Build       any            `yaml:"build"`
			Ports       []string       `yaml:"ports"`
			Environment map[string]any `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"postgres", "mailpit", "setup", "sesame", "domain-panel", "server-panel", "email-panel"} {
		if _, ok := c.Services[name]; !ok {
			t.Errorf("no service %s", name)
		}
	}
	var products []string
	for name, s := range c.Services {
		if p, ok := s.Environment["DEMO_PRODUCT"].(string); ok {
			products = append(products, p)
		}
		if b, ok := s.Build.(map[string]any); ok {
			if target, _ := b["target"].(string); target != "" && !slices.Contains(readDockerfile(t).names, target) {
				t.Errorf("service %s builds target %q, which the Dockerfile lacks", name, target)
			}
		}
		for _, p := range s.Ports {
			if strings.HasSuffix(p, ":9464") && !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("service %s publishes the metrics port beyond the loopback: %s", name, p)
			}
		}
	}
	slices.Sort(products)
	if !slices.Equal(products, []string{"domain", "email", "server"}) {
		t.Errorf("panels %v, want domain, email, server", products)
	}
	env := c.Services["sesame"].Environment
	for _, k := range []string{"SESAME_DATABASE_URL", "SESAME_SMTP_URL", "SESAME_METRICS_ADDR"} {
		if env[k] == nil {
			t.Errorf("sesame: %s unset", k)
		}
	}
}
