// Log Analytics + workspace-based Application Insights with local (key) authentication off: telemetry is accepted
// only with an Entra ID token, which the Function App gets from its user-assigned identity (Monitoring Metrics
// Publisher, assigned here, before the site exists).

@description('Azure region.')
param location string

@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights name.')
param appInsightsName string

@description('Resource id of the Function App identity (role assignment names: known before deployment).')
param identityId string

@description('Principal id of the Function App identity.')
param principalId string

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: logAnalyticsName
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

resource publisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Log Analytics workspace name (Container Apps logs).')
output logAnalyticsName string = logAnalytics.name

@description('Application Insights name.')
output appInsightsName string = appInsights.name

@description('Application Insights connection string (not a secret: ingestion needs an Entra ID token).')
output connectionString string = appInsights.properties.ConnectionString

@description('Role assignment id; the site depends on it.')
output publisherRoleId string = publisher.id
