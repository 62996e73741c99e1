// The Function App on Flex Consumption, with the user-assigned identity for everything: host storage, the
// deployment package, Key Vault references and Application Insights ingestion. main.bicep deploys it last: it
// depends (through these parameters) on the identity, its role assignments, the queues, the deployment container
// and the Key Vault secrets.

@description('Azure region.')
param location string

@description('Function App name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('User-assigned identity: resource id and client id.')
param identityId string

@description('Client id of the user-assigned identity.')
param identityClientId string

@description('Functions subnet (Flex VNet integration).')
param subnetId string

@description('Host storage account (identity-based AzureWebJobsStorage).')
param storageAccountName string

@description('Deployment container URL.')
param deploymentContainerUrl string

@description('Application Insights connection string.')
param appInsightsConnectionString string

@description('ServerlessRyw__Mode.')
@allowed([ 'Token', 'Window', 'PrimaryOnly', 'ReplicaUnsafe' ])
param rywMode string

@description('Key Vault secret URI of the primary connection string.')
param primaryUri string

@description('Key Vault secret URIs of the replica connection strings (none for PrimaryOnly).')
param replicaUris array

@description('Changes when a Redis password changes, so the app restarts and re-reads its Key Vault references.')
param restartStamp string

@description('.NET version of the isolated worker.')
@allowed([ '8.0', '9.0', '10.0' ])
param dotnetVersion string

@description('Instance memory in MB.')
@allowed([ 512, 2048, 4096 ])
param instanceMemoryMB int

@description('Upper bound on instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

var replicaSettings = [for (uri, i) in replicaUris: {
  name: 'ServerlessRyw__Replicas__${i}'
  value: '@Microsoft.KeyVault(SecretUri=${uri})'
}]

resource site 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: subnetId
    // Key Vault references resolve with the user-assigned identity (default would be a system-assigned one).
    keyVaultReferenceIdentity: identityId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: concat([
        // Identity-based host storage; also the default connection of the sample's queue bindings.
        { name: 'AzureWebJobsStorage__accountName', value: storageAccountName }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
        // Host and worker (OpenTelemetry Azure Monitor exporter: the ryw.* metrics) send with an Entra ID token.
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
        { name: 'ServerlessRyw__Mode', value: rywMode }
        { name: 'ServerlessRyw__WaitBudget', value: '00:00:00.100' }
        // Connection strings contain passwords: Key Vault references only.
        { name: 'ServerlessRyw__Primary', value: '@Microsoft.KeyVault(SecretUri=${primaryUri})' }
        { name: 'RYW_RESTART_STAMP', value: restartStamp }
      ], replicaSettings)
    }
  }
}

@description('Function App name.')
output name string = site.name

@description('Default host name.')
output defaultHostName string = site.properties.defaultHostName
