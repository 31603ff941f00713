package main

import (
	"strconv"
	"time"
)

// pdBody is a PagerDuty Events v2 trigger whose dedup key, run-n, is new;
// its details carry no alertname, as most PagerDuty senders' do not.
func pdBody(buf []byte, routingKey, run string, n int64) []byte {
	buf = append(buf[:0], `{"routing_key":"`...)
	buf = append(buf, routingKey...)
	buf = append(buf, `","event_action":"trigger","dedup_key":"pd-`...)
	buf = append(buf, run...)
	buf = append(buf, '-')
	buf = strconv.AppendInt(buf, n, 10)
	return append(buf, `","payload":{"summary":"Checkout error rate above 5%","source":"prom-1","severity":"critical","component":"checkout","custom_details":{"rate":0.052}}}`...)
}

// probeBody is a PagerDuty trigger whose summary, and so the title of the
// incident it opens, names the probe: that is how the receiver tells which
// probe a page answers.
func probeBody(routingKey, token string) []byte {
	return []byte(`{"routing_key":"` + routingKey + `","event_action":"trigger","dedup_key":"probe-` + token +
		`","payload":{"summary":"latency probe ` + token + `","source":"bench","severity":"critical"}}`)
}

// alertNames are the alert names of the Alertmanager groups.
var alertNames = []string{"KubePodCrashLooping", "HighErrorRate", "DiskWillFillIn4Hours", "HighLatencyP99", "NodeNotReady",
	"TargetDown", "CPUThrottlingHigh", "KubeDeploymentReplicasMismatch", "PostgresReplicationLag", "CertificateExpiresSoon"}

// startsAt is the alerts' start, a minute before the run began: a sender's
// clock must not look ahead of warroom's.
var startsAt = time.Now().UTC().Add(-time.Minute).Format(time.RFC3339Nano)

// alertmanagerBody is one Alertmanager notification of batch new firing
// alerts, all of group g (one groupKey, grouped by alertname and cluster
// as a usual route does), labelled as kube-prometheus labels them; n makes
// every alert new.
func alertmanagerBody(buf []byte, run string, n int64, batch int, g int64) []byte {
	name := alertNames[g%int64(len(alertNames))]
	cluster := "prod-" + strconv.FormatInt(g/int64(len(alertNames)), 10)
	buf = append(buf[:0], `{"version":"4","groupKey":"{}/{severity=\"critical\"}:{alertname=\"`...)
	buf = append(buf, name...)
	buf = append(buf, `\", cluster=\"`...)
	buf = append(buf, cluster...)
	buf = append(buf, `\"}","truncatedAlerts":0,"status":"firing","receiver":"warroom","groupLabels":{"alertname":"`...)
	buf = append(buf, name...)
	buf = append(buf, `","cluster":"`...)
	buf = append(buf, cluster...)
	buf = append(buf, `"},"commonLabels":{"alertname":"`...)
	buf = append(buf, name...)
	buf = append(buf, `","cluster":"`...)
	buf = append(buf, cluster...)
	buf = append(buf, `","severity":"critical"},"commonAnnotations":{},"externalURL":"http://alertmanager.monitoring:9093","alerts":[`...)
	for i := range batch {
		if i > 0 {
			buf = append(buf, ',')
		}
		id := strconv.AppendInt(append(strconv.AppendInt(append([]byte(run), '-'), n, 10), '-'), int64(i), 10)
		buf = append(buf, `{"status":"firing","labels":{"alertname":"`...)
		buf = append(buf, name...)
		buf = append(buf, `","cluster":"`...)
		buf = append(buf, cluster...)
		buf = append(buf, `","severity":"critical","namespace":"shop","job":"kube-state-metrics","container":"checkout","pod":"checkout-`...)
		buf = append(buf, id...)
		buf = append(buf, `","instance":"10.2.`...)
		buf = strconv.AppendInt(buf, int64(i%250), 10)
		buf = append(buf, `.`...)
		buf = strconv.AppendInt(buf, n%250, 10)
		buf = append(buf, `:8080","prometheus":"monitoring/k8s"},"annotations":{"summary":"`...)
		buf = append(buf, name...)
		buf = append(buf, ` on checkout-`...)
		buf = append(buf, id...)
		buf = append(buf, `","description":"Pod shop/checkout-`...)
		buf = append(buf, id...)
		buf = append(buf, ` (checkout) is in a bad state for longer than 5 minutes.","runbook_url":"https://runbooks.prometheus-operator.dev/runbooks/kubernetes/kubepodcrashlooping"},"startsAt":"`...)
		buf = append(buf, startsAt...)
		buf = append(buf, `","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus.monitoring:9090/graph?g0.expr=up","fingerprint":"`...)
		buf = append(buf, id...)
		buf = append(buf, `"}`...)
	}
	return append(buf, "]}"...)
}
