// The Function App's user-assigned identity. Created first, so every role assignment and Key Vault access exists
// before the site does (a system-assigned identity only exists once the site does, which is what made the first
// start see unresolved Key Vault references and storage 403s).

@description('Azure region.')
param location string

@description('Identity name.')
param name string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: name
  location: location
}

@description('Resource id (for identity blocks, keyVaultReferenceIdentity, deployment storage authentication).')
output id string = identity.id

@description('Client id (AzureWebJobsStorage__clientId, APPLICATIONINSIGHTS_AUTHENTICATION_STRING).')
output clientId string = identity.properties.clientId

@description('Principal id (role assignments).')
output principalId string = identity.properties.principalId
