// OPTIONAL: AcrPull on an existing registry in this resource group for the identity, so the Redis apps pull the
// pinned image from it (no anonymous Docker Hub rate limits). Granted before the Container Apps exist.

@description('Existing Azure Container Registry in this resource group.')
param acrName string

@description('Resource id of the identity (role assignment name).')
param identityId string

@description('Principal id of the identity.')
param principalId string

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource acr 'Microsoft.ContainerRegistry/registries@2025-11-01' existing = {
  name: acrName
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(acr.id, identityId, acrPull)
  scope: acr
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Login server of the registry.')
output loginServer string = acr.properties.loginServer
