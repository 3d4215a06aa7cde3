{{/* The chart name, or nameOverride. */}}
{{- define "certplane.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of object names: fullnameOverride, else the release name when it already
contains the chart name, else "<release>-<chart>". 63 characters at most (DNS label).
*/}}
{{- define "certplane.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The labels that select the controller pods (never change them on upgrade). */}}
{{- define "certplane.selectorLabels" -}}
app.kubernetes.io/name: {{ include "certplane.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller
{{- end }}

{{/* The labels of every object the chart templates. */}}
{{- define "certplane.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "certplane.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The ServiceAccount the controller runs as. */}}
{{- define "certplane.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "certplane.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The controller image: repository@digest, or repository:tag (default appVersion). */}}
{{- define "certplane.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The URL written into CRL distribution points and AIA: the Service by default. */}}
{{- define "certplane.publicBaseURL" -}}
{{- if .Values.controller.publicBaseURL }}
{{- .Values.controller.publicBaseURL | trimSuffix "/" }}
{{- else if eq (int .Values.service.port) 80 }}
{{- printf "http://%s.%s.svc" (include "certplane.fullname" .) .Release.Namespace }}
{{- else }}
{{- printf "http://%s.%s.svc:%d" (include "certplane.fullname" .) .Release.Namespace (int .Values.service.port) }}
{{- end }}
{{- end }}

{{/*
The serving certificate's DNS names: the Service's, then https.extraDnsNames, comma-separated.
*/}}
{{- define "certplane.httpsDnsNames" -}}
{{- $svc := printf "%s.%s.svc" (include "certplane.fullname" .) .Release.Namespace }}
{{- $names := list $svc (printf "%s.cluster.local" $svc) }}
{{- join "," (concat $names .Values.https.extraDnsNames) }}
{{- end }}

{{/* The PromQL label matchers of certplane's series: prometheusRule.selector, else its job. */}}
{{- define "certplane.metricSelector" -}}
{{- default (printf "job=%q" (include "certplane.fullname" .)) .Values.prometheusRule.selector }}
{{- end }}

{{/* A duration of whole s, m, h or d (the schema checks the form) in seconds. */}}
{{- define "certplane.seconds" -}}
{{- $unit := regexFind "[smhd]$" . }}
{{- mul (trimSuffix $unit . | int64) (get (dict "s" 1 "m" 60 "h" 3600 "d" 86400) $unit) }}
{{- end }}
