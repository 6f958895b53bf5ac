package io.outrigger.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/kubernetes/} without a cluster (none runs on these machines): every manifest is read into the
 * Kubernetes API model (fabric8's, generated from Kubernetes' OpenAPI schema) and must use no field that model does
 * not know, with the types it expects; the kustomization lists exactly the files; the pod is wired as the README says
 * (a native sidecar with startup and readiness probes on the probe listener, non-root, read-only root); and the
 * ConfigMap's {@code outrigger.yaml} is a config the jar accepts.
 */
class ManifestsIT {
    private static final Path DIR = Path.of("..", "deploy", "kubernetes");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private static final Map<String, Class<? extends KubernetesResource>> KINDS = Map.of(
            "Deployment", Deployment.class, "ConfigMap", ConfigMap.class, "Service", Service.class);

    @Test
    void theManifestsAreValidKubernetesObjectsWiredForANativeSidecar() throws Exception {
        JsonNode kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        List<String> files = new ArrayList<>();
        kustomization.path("resources").forEach(r -> files.add(r.asText()));
        try (var listing = Files.list(DIR)) {
            assertThat(files).containsExactlyInAnyOrderElementsOf(listing.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).toList());
        }
        Deployment deployment = null;
        ConfigMap config = null;
        for (String file : files) {
            JsonNode tree = YAML.readTree(DIR.resolve(file).toFile());
            Class<? extends KubernetesResource> type = KINDS.get(tree.path("kind").asText());
            assertThat(type).as("%s: kind %s", file, tree.path("kind")).isNotNull();
            KubernetesResource r = YAML.treeToValue(tree, type); // a wrong type fails here
            List<String> unknown = new ArrayList<>();
            unknownFields(r, file, unknown, new IdentityHashMap<>());
            assertThat(unknown).as("fields the Kubernetes API does not have").isEmpty();
            if (r instanceof Deployment d) {
                deployment = d;
            } else if (r instanceof ConfigMap c) {
                config = c;
            }
        }
        assertThat(deployment).isNotNull();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container sidecar = pod.getInitContainers().stream().filter(c -> c.getName().equals("outrigger")).findFirst().orElseThrow();
        assertThat(sidecar.getRestartPolicy()).as("a native sidecar").isEqualTo("Always");
        assertThat(sidecar.getStartupProbe().getHttpGet().getPath()).isEqualTo("/ready");
        assertThat(sidecar.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
        String probePort = sidecar.getReadinessProbe().getHttpGet().getPort().getStrVal();
        int probeContainerPort = sidecar.getPorts().stream().filter(p -> p.getName().equals(probePort)).findFirst()
                .orElseThrow().getContainerPort();
        assertThat(sidecar.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(sidecar.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(sidecar.getResources().getLimits()).containsKey("memory");
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(25); // above --drain-time-s
        Container app = pod.getContainers().get(0);
        assertThat(String.join(" ", app.getCommand())).contains("wait-ready --admin 127.0.0.1:9901");

        // the ConfigMap's config is one the jar accepts (TLS files are the Secret's: not read here), and its probe
        // listener is the port the probes use
        assertThat(config).isNotNull();
        String yaml = config.getData().get("outrigger.yaml");
        assertThat(yaml).contains("address: 0.0.0.0:" + probeContainerPort);
        Path file = CliIT.write("k8s-outrigger.yaml", yaml);
        Cmd route = CliIT.outrigger("route", "-c", file.toString(), "-r", "GET http://catalog/items", "--listener", "outbound");
        assertThat(route.exit()).as(route.out() + route.err()).isZero();
        assertThat(route.out()).contains("forward to cluster catalog");
        Cmd probe = CliIT.outrigger("route", "-c", file.toString(), "-r", "GET http://pod/ready", "--listener", "probes");
        assertThat(probe.out()).contains("forward to cluster admin");
        Cmd hidden = CliIT.outrigger("route", "-c", file.toString(), "-r", "POST http://pod/drain_listeners", "--listener", "probes");
        assertThat(hidden.exit()).as("no route: 404").isEqualTo(1);
    }

    /** Collects every non-empty {@code additionalProperties} in the model tree: fields the schema does not have. */
    private static void unknownFields(Object o, String path, List<String> out, Map<Object, Boolean> seen) throws Exception {
        if (o == null || seen.put(o, true) != null || o instanceof String || o instanceof Number || o instanceof Boolean) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
            }
            return;
        }
        if (!o.getClass().getPackageName().startsWith("io.fabric8")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || g.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v = g.invoke(o);
            if (g.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": " + extra.keySet());
                }
            } else {
                unknownFields(v, path + "." + g.getName().substring(3), out, seen);
            }
        }
    }
}
