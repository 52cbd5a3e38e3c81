package dev.baton.control.metrics;

import dev.baton.control.protocol.Json;
import dev.baton.ha.TwoRouters;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** contrib/grafana/baton.json queries only metrics a router serves: a renamed metric breaks this test, not a graph. */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "contrib", "grafana", "baton.json");
    private static final Pattern METRIC = Pattern.compile("\\bbaton_[a-z0-9_]+");

    @Test
    void everyMetricTheDashboardQueriesIsServedByARouterWithPeers() throws Exception {
        Set<String> served = new HashSet<>();
        try (TwoRouters pair = new TwoRouters(1, "manual")) {
            pair.establishPair();
            String text = Exposition.text(MetricFamilies.of(pair.a.dataplane().counters().snapshot(),
                    RouterMetrics.facts(pair.a.dataplane().config(), false)));
            for (String series : Exposition.samples(text).keySet()) {
                served.add(series.contains("{") ? series.substring(0, series.indexOf('{')) : series);
            }
        }
        Map<?, ?> dashboard = (Map<?, ?>) Json.parse(Files.readString(DASHBOARD));
        List<String> expressions = new ArrayList<>();
        for (Object panel : (List<?>) dashboard.get("panels")) {
            for (Object target : (List<?>) ((Map<?, ?>) panel).get("targets")) {
                expressions.add(String.valueOf(((Map<?, ?>) target).get("expr")));
            }
        }
        assertFalse(expressions.isEmpty());
        for (String expression : expressions) {
            Matcher m = METRIC.matcher(expression);
            while (m.find()) {
                assertTrue(served.contains(m.group()), m.group() + " (in " + expression + ") is not served; served: " + served);
            }
        }
    }
}
