package check

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// checkHardening checks the pod runs as the image's non-root user, with a
// read-only root, no privilege escalation and no capabilities.
func checkHardening(t *testing.T, d appsv1.Deployment) {
	t.Helper()
	pod := d.Spec.Template.Spec.SecurityContext
	if pod == nil || pod.RunAsNonRoot == nil || !*pod.RunAsNonRoot || pod.FSGroup == nil {
		t.Error("the pod must set runAsNonRoot and fsGroup (the state volume must be writable by the user)")
	}
	if d.Spec.Template.Spec.AutomountServiceAccountToken == nil || *d.Spec.Template.Spec.AutomountServiceAccountToken {
		t.Error("the pod mounts a service account token it never uses")
	}
	for _, c := range d.Spec.Template.Spec.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.Capabilities == nil || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
			t.Errorf("container %s: want readOnlyRootFilesystem, no privilege escalation, capabilities dropped", c.Name)
		}
		if c.Resources.Limits.Memory().IsZero() {
			t.Errorf("container %s has no memory limit", c.Name)
		}
	}
}

// checkConfig validates the ConfigMap's config with s1collector itself,
// with the Secret's values in the environment, and checks the probes reach
// the status server it configures.
func checkConfig(t *testing.T, r rendered, d appsv1.Deployment) {
	t.Helper()
	c := d.Spec.Template.Spec.Containers[0]
	cm, path := mountedConfig(t, r, c)
	var cfg struct {
		Server struct{ Listen string }
		State  struct {
			Path     string
			Postgres *struct{ DSN string }
		}
	}
	if err := yaml.Unmarshal([]byte(cm), &cfg); err != nil {
		t.Fatalf("config: %v", err)
	}
	if cfg.Server.Listen != "0.0.0.0:9464" || c.Ports[0].ContainerPort != 9464 {
		t.Errorf("server.listen %q and container port %d: the probes need 0.0.0.0:9464", cfg.Server.Listen, c.Ports[0].ContainerPort)
	}
	bin := os.Getenv("S1COLLECTOR_BIN")
	if bin == "" {
		t.Fatal("S1COLLECTOR_BIN is not set: the path of an s1collector binary, to validate the config")
	}
	file := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(file, []byte(cm), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // killed when the test ends, however it ends
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "validate", "--config", file)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for _, e := range c.EnvFrom {
		if e.SecretRef == nil {
			continue
		}
		s := r.secrets[e.SecretRef.Name]
		for k, v := range s.Data {
			cmd.Env = append(cmd.Env, k+"="+string(v))
		}
		for k, v := range s.StringData {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("s1collector validate refuses the ConfigMap's config with the Secret's tokens: %v\n%s", err, out)
	}
	if cfg.State.Postgres == nil && !mountedAt(c, filepath.Dir(cfg.State.Path)) {
		t.Errorf("state.path %s is not on a mounted volume: the read-only root cannot hold it", cfg.State.Path)
	}
}

// mountedConfig returns the config file the container's --config names,
// from the ConfigMap mounted there.
func mountedConfig(t *testing.T, r rendered, c corev1.Container) (content, path string) {
	t.Helper()
	for i, a := range c.Args {
		if a == "--config" && i+1 < len(c.Args) {
			path = c.Args[i+1]
		}
	}
	if path == "" {
		t.Fatalf("the container's args %v do not name a --config", c.Args)
	}
	for _, m := range c.VolumeMounts {
		if m.MountPath != filepath.Dir(path) {
			continue
		}
		for _, v := range r.deployments[0].Spec.Template.Spec.Volumes {
			if v.Name == m.Name && v.ConfigMap != nil {
				if content, ok := r.configMaps[v.ConfigMap.Name].Data[filepath.Base(path)]; ok {
					return content, path
				}
			}
		}
	}
	t.Fatalf("no config map provides %s", path)
	return "", ""
}

func mountedAt(c corev1.Container, dir string) bool {
	for _, m := range c.VolumeMounts {
		if dir == m.MountPath || strings.HasPrefix(dir, m.MountPath+"/") {
			return !m.ReadOnly
		}
	}
	return false
}

// checkSingle checks the bbolt deployment: one pod at a time, on a claim.
func checkSingle(t *testing.T, r rendered, d appsv1.Deployment) {
	t.Helper()
	if d.Spec.Replicas == nil || *d.Spec.Replicas != 1 {
		t.Error("replicas must be 1: the bbolt state file is locked by one process")
	}
	if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
		t.Errorf("strategy %q: a rolling update starts the new pod while the old one holds the state file; want Recreate", d.Spec.Strategy.Type)
	}
	state := false
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.Name == "state" {
			state = v.PersistentVolumeClaim != nil && v.EmptyDir == nil
		}
	}
	if !state {
		t.Error("the state volume must be the claim alone: an emptyDir loses the checkpoints with the pod")
	}
	for name, c := range r.claims {
		if len(c.Spec.AccessModes) != 1 || c.Spec.AccessModes[0] != corev1.ReadWriteOnce {
			t.Errorf("claim %s: want ReadWriteOnce", name)
		}
	}
}

// checkReplicas checks the PostgreSQL deployment: several pods, rolled one
// at a time, no claim (the state is in PostgreSQL), the DSN from the
// Secret, and pods spread over nodes.
func checkReplicas(t *testing.T, r rendered, d appsv1.Deployment) {
	t.Helper()
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Error("replicas must be 2 or more: they take over each other's streams")
	}
	if ru := d.Spec.Strategy.RollingUpdate; d.Spec.Strategy.Type != appsv1.RollingUpdateDeploymentStrategyType || ru == nil ||
		ru.MaxUnavailable == nil || ru.MaxUnavailable.IntValue() != 1 {
		t.Errorf("strategy %+v: roll one pod at a time, the others hold the streams meanwhile", d.Spec.Strategy)
	}
	if len(r.claims) > 0 {
		t.Error("a volume claim: replicas keep their state in PostgreSQL, and a ReadWriteOnce claim cannot be shared")
	}
	cm, _ := mountedConfig(t, r, d.Spec.Template.Spec.Containers[0])
	if !strings.Contains(cm, "dsn: ${S1_POSTGRES_DSN}") {
		t.Error("the config does not take the DSN from ${S1_POSTGRES_DSN}")
	}
	found := false
	for _, s := range r.secrets {
		_, inData := s.Data["S1_POSTGRES_DSN"]
		_, inString := s.StringData["S1_POSTGRES_DSN"]
		found = found || inData || inString
	}
	if !found {
		t.Error("no Secret provides S1_POSTGRES_DSN")
	}
	if a := d.Spec.Template.Spec.Affinity; a == nil || a.PodAntiAffinity == nil {
		t.Error("no pod anti-affinity: the replicas may all land on one node")
	}
}
