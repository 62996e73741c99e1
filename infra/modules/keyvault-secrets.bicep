// The Redis connection strings (they contain passwords) as Key Vault secrets. Their versionless URIs go into the
// Function App's settings as @Microsoft.KeyVault(SecretUri=...) references.

@description('Existing vault (keyvault.bicep).')
param vaultName string

@description('StackExchange.Redis configuration strings: { primary: string, replicas: string[] }.')
@secure()
param connections object

@description('Number of replica connection strings in connections.replicas.')
param replicaCount int

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: vaultName
}

resource primary 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'ryw-redis-primary'
  properties: {
    value: connections.primary
    contentType: 'StackExchange.Redis configuration'
  }
}

resource replicas 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = [for i in range(0, replicaCount): {
  parent: vault
  name: 'ryw-redis-replica-${i}'
  properties: {
    value: connections.replicas[i]
    contentType: 'StackExchange.Redis configuration'
  }
}]

@description('Versionless URI of the primary connection string (follows new versions on refresh).')
output primaryUri string = primary.properties.secretUri

@description('Versionless URIs of the replica connection strings.')
output replicaUris array = [for i in range(0, replicaCount): replicas[i].properties.secretUri]
