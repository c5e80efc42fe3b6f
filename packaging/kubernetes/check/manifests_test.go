// Package check validates the Kubernetes manifests without a cluster:
// "kubectl apply --dry-run=client" asks an API server for its resource list
// and schema, and none runs here. Instead each overlay is rendered with
// "kubectl kustomize", every object is decoded strictly into the Kubernetes
// API's own Go types (an unknown or misspelt field, or a wrong type, fails),
// the references between objects are checked as the API server and kubelet
// would resolve them, and the config in the ConfigMap is validated by
// s1collector itself with the tokens of the Secret.
//
// Run by packaging/check: S1COLLECTOR_BIN=path/to/s1collector go test ./...
package check

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// rendered is one overlay's objects, by kind.
type rendered struct {
	deployments []appsv1.Deployment
	services    []corev1.Service
	configMaps  map[string]corev1.ConfigMap
	secrets     map[string]corev1.Secret
	claims      map[string]corev1.PersistentVolumeClaim
	accounts    map[string]corev1.ServiceAccount
}

func TestOverlays(t *testing.T) {
	overlays, err := filepath.Glob("../overlays/*")
	if err != nil || len(overlays) == 0 {
		t.Fatalf("no overlays: %v", err)
	}
	for _, dir := range overlays {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			r := render(t, dir)
			if len(r.deployments) != 1 {
				t.Fatalf("%d deployments, want 1", len(r.deployments))
			}
			d := r.deployments[0]
			checkReferences(t, r, d)
			checkHardening(t, d)
			checkConfig(t, r, d)
			switch filepath.Base(dir) {
			case "single":
				checkSingle(t, r, d)
			case "replicas":
				checkReplicas(t, r, d)
			default:
				t.Errorf("overlay %s has no check of its own: add one", filepath.Base(dir))
			}
		})
	}
}

// render runs kubectl kustomize on a copy of the manifests, with the
// overlay's tokens.env made from its example, and decodes every object.
func render(t *testing.T, overlay string) rendered {
	t.Helper()
	tmp := t.TempDir()
	if out, err := exec.Command("cp", "-r", "..", filepath.Join(tmp, "kubernetes")).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v %s", err, out)
	}
	dir := filepath.Join(tmp, "kubernetes", "overlays", filepath.Base(overlay))
	if example, err := os.ReadFile(filepath.Join(dir, "tokens.env.example")); err == nil {
		if err := os.WriteFile(filepath.Join(dir, "tokens.env"), example, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	var stderr bytes.Buffer
	cmd := exec.Command("kubectl", "kustomize", dir)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", overlay, err, stderr.String())
	}
	r := rendered{configMaps: map[string]corev1.ConfigMap{}, secrets: map[string]corev1.Secret{},
		claims: map[string]corev1.PersistentVolumeClaim{}, accounts: map[string]corev1.ServiceAccount{}}
	for _, doc := range bytes.Split(out, []byte("\n---\n")) {
		if err := r.add(doc); err != nil {
			t.Errorf("%v\n%s", err, doc)
		}
	}
	return r
}

// add decodes one object strictly into its API type.
func (r *rendered) add(doc []byte) error {
	var head struct{ APIVersion, Kind string }
	if err := yaml.Unmarshal(doc, &head); err != nil {
		return err
	}
	strict := func(v any) error {
		if err := yaml.UnmarshalStrict(doc, v); err != nil {
			return fmt.Errorf("%s: %w", head.Kind, err)
		}
		return nil
	}
	switch head.APIVersion + " " + head.Kind {
	case "apps/v1 Deployment":
		var d appsv1.Deployment
		r.deployments = append(r.deployments, d)
		return strict(&r.deployments[len(r.deployments)-1])
	case "v1 Service":
		var s corev1.Service
		r.services = append(r.services, s)
		return strict(&r.services[len(r.services)-1])
	case "v1 ConfigMap":
		var c corev1.ConfigMap
		err := strict(&c)
		r.configMaps[c.Name] = c
		return err
	case "v1 Secret":
		var s corev1.Secret
		err := strict(&s)
		r.secrets[s.Name] = s
		return err
	case "v1 PersistentVolumeClaim":
		var c corev1.PersistentVolumeClaim
		err := strict(&c)
		r.claims[c.Name] = c
		return err
	case "v1 ServiceAccount":
		var a corev1.ServiceAccount
		err := strict(&a)
		r.accounts[a.Name] = a
		return err
	}
	return fmt.Errorf("%s %s: not a kind this check knows; add it", head.APIVersion, head.Kind)
}

// checkReferences checks what the API server and the kubelet resolve: the
// selector, named ports, volumes, and the objects they name.
func checkReferences(t *testing.T, r rendered, d appsv1.Deployment) {
	t.Helper()
	spec := d.Spec.Template.Spec
	if d.Spec.Selector == nil || len(d.Spec.Selector.MatchLabels) == 0 {
		t.Fatal("the deployment has no selector")
	}
	for k, v := range d.Spec.Selector.MatchLabels {
		if d.Spec.Template.Labels[k] != v {
			t.Errorf("selector %s=%s does not match the pod's labels %v", k, v, d.Spec.Template.Labels)
		}
	}
	if _, ok := r.accounts[spec.ServiceAccountName]; !ok {
		t.Errorf("service account %q is not in the manifests", spec.ServiceAccountName)
	}
	volumes := map[string]corev1.Volume{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = v
		switch {
		case v.ConfigMap != nil:
			if _, ok := r.configMaps[v.ConfigMap.Name]; !ok {
				t.Errorf("volume %s: config map %q is not in the manifests", v.Name, v.ConfigMap.Name)
			}
		case v.PersistentVolumeClaim != nil:
			if _, ok := r.claims[v.PersistentVolumeClaim.ClaimName]; !ok {
				t.Errorf("volume %s: claim %q is not in the manifests", v.Name, v.PersistentVolumeClaim.ClaimName)
			}
		}
	}
	for _, c := range spec.Containers {
		ports := map[string]int32{}
		for _, p := range c.Ports {
			if len(p.Name) > 15 || strings.ToLower(p.Name) != p.Name {
				t.Errorf("port name %q: at most 15 lowercase characters", p.Name)
			}
			ports[p.Name] = p.ContainerPort
		}
		for name, probe := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
			if probe == nil || probe.HTTPGet == nil {
				t.Errorf("container %s has no HTTP %s probe", c.Name, name)
				continue
			}
			if _, ok := ports[probe.HTTPGet.Port.StrVal]; !ok {
				t.Errorf("%s probe port %q is not a named port of the container", name, probe.HTTPGet.Port.String())
			}
		}
		for _, m := range c.VolumeMounts {
			if _, ok := volumes[m.Name]; !ok {
				t.Errorf("mount %s: no volume of that name", m.Name)
			}
		}
		for _, e := range c.EnvFrom {
			if e.SecretRef != nil {
				if _, ok := r.secrets[e.SecretRef.Name]; !ok {
					t.Errorf("env from secret %q, which is not in the manifests", e.SecretRef.Name)
				}
			}
		}
	}
	for _, s := range r.services {
		for k, v := range s.Spec.Selector {
			if d.Spec.Template.Labels[k] != v {
				t.Errorf("service %s selects %s=%s, which the pod lacks", s.Name, k, v)
			}
		}
	}
}

// TestStatusStaysReachableWhenNotReady: a failing stream makes /readyz 503;
// the Service keeps the pod, so /metrics and the status page that explain
// the incident do not vanish with it.
func TestStatusStaysReachableWhenNotReady(t *testing.T) {
	for _, r := range renderAll(t) {
		for _, c := range r.deployments[0].Spec.Template.Spec.Containers {
			if p := c.ReadinessProbe; p == nil || p.HTTPGet == nil || p.HTTPGet.Path != "/readyz" {
				t.Errorf("container %s: readiness is not /readyz, as the README says", c.Name)
			}
		}
		if len(r.services) == 0 {
			t.Fatal("no service")
		}
		for _, s := range r.services {
			if !s.Spec.PublishNotReadyAddresses {
				t.Errorf("service %s drops the pod while /readyz is 503: its /metrics and status page vanish during incidents", s.Name)
			}
		}
	}
}

// TestOverlayTagIsTheREADMEs: the image tag each overlay deploys is the
// version the README builds and runs in its examples.
func TestOverlayTagIsTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range renderAll(t) {
		image := r.deployments[0].Spec.Template.Spec.Containers[0].Image
		_, tag, _ := strings.Cut(image, ":")
		if tag == "" || !bytes.Contains(readme, []byte("s1collector:"+tag)) {
			t.Errorf("overlay %s deploys %s; the README's examples run another version", name, image)
		}
	}
}

// renderAll renders every overlay, by name.
func renderAll(t *testing.T) map[string]rendered {
	t.Helper()
	overlays, err := filepath.Glob("../overlays/*")
	if err != nil || len(overlays) == 0 {
		t.Fatalf("no overlays: %v", err)
	}
	out := map[string]rendered{}
	for _, dir := range overlays {
		r := render(t, dir)
		if len(r.deployments) != 1 {
			t.Fatalf("%s: %d deployments, want 1", dir, len(r.deployments))
		}
		out[filepath.Base(dir)] = r
	}
	return out
}
