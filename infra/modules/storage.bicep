// Host storage for the Function App: identity-only (shared keys off), the sample's queues and the Flex deployment
// container, with the identity's data roles. The site depends on this whole module, so the queues, the container
// and the role assignments exist before it starts.

@description('Azure region.')
param location string

@description('Storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Resource id of the Function App identity (role assignment names: known before deployment).')
param identityId string

@description('Principal id of the Function App identity.')
param principalId string

@description('Blob container for the Flex Consumption deployment package.')
param deploymentContainerName string

@description('Queues the sample reads and writes.')
param queueNames array

var roles = [
  'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner: host locks/keys, deployment package
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor: queue triggers and outputs
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor: host bookkeeping
]

resource storage 'Microsoft.Storage/storageAccounts@2026-09-01' = {
  name: name
  location: location
  sku: {
    name: 'Standard_LRS'
  }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-09-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-09-01' = {
  parent: blobService
  name: deploymentContainerName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2026-09-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-09-01' = [for queue in queueNames: {
  parent: queueService
  name: queue
}]

resource dataRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in roles: {
  name: guid(storage.id, identityId, role)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}]

@description('Storage account name.')
output name string = storage.name

@description('Deployment container URL (Flex functionAppConfig.deployment.storage.value).')
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'

@description('Queue names, once created (the site depends on them).')
output queueNames array = [for (queue, i) in queueNames: queues[i].name]

@description('Role assignment ids; the site depends on them.')
output roleAssignmentIds array = [for (role, i) in roles: dataRoles[i].id]
