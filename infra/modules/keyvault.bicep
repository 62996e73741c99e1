// Key Vault (RBAC) holding the Redis passwords (so the next deploy can reuse them, infra/README.md) and, through
// keyvault-secrets.bicep, the Redis connection strings the Function App reads as Key Vault references. The
// identity's Key Vault Secrets User role is assigned here, early: minutes before the site exists.

@description('Azure region.')
param location string

@description('Vault name (3-24 letters, digits and hyphens; globally unique, and reserved while soft-deleted).')
@minLength(3)
@maxLength(24)
param name string

@description('default creates the vault; recover restores a soft-deleted vault of the same name (after az group delete).')
@allowed([ 'default', 'recover' ])
param createMode string

@description('Resource id of the Function App identity (role assignment names: known before deployment).')
param identityId string

@description('Principal id of the Function App identity.')
param principalId string

@description('Redis passwords to keep for later deploys; empty for the Azure Managed Redis option.')
@secure()
param redisPasswords object

var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' = {
  name: name
  location: location
  properties: {
    tenantId: subscription().tenantId
    createMode: createMode
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    // Soft delete cannot be turned off; the shortest retention keeps the name reserved for 7 days after deletion
    // (purge: infra/README.md). Purge protection stays off so that a purge is possible.
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource passwordSecrets 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = [for item in items(redisPasswords): {
  parent: vault
  name: item.key
  properties: {
    value: item.value
    contentType: 'Redis ACL password (reused by later deploys)'
  }
}]

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identityId, keyVaultSecretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

@description('Vault name.')
output name string = vault.name

@description('Role assignment id; the site depends on it.')
output secretsUserRoleId string = secretsUser.id
