// OPTIONAL, PrimaryOnly: Azure Managed Redis for users who want a managed cache. Read-your-writes here is
// PrimaryOnly (every read goes to the primary endpoint): Azure Managed Redis exposes one endpoint, no
// addressable replicas, no READONLY, and does not run INFO inside scripts, so token mode cannot work (README).
// Private endpoint only (public network access disabled), TLS, AOF persistence.

@description('Azure region.')
param location string

@description('Cache name (globally unique DNS label).')
param name string

@description('Azure Managed Redis SKU.')
@allowed([ 'Balanced_B0', 'Balanced_B1', 'Balanced_B3', 'Balanced_B5', 'MemoryOptimized_M10', 'ComputeOptimized_X3' ])
param skuName string

@description('Subnet for the private endpoint.')
param endpointsSubnetId string

@description('VNet to link the private DNS zone to.')
param vnetId string

@description('Key Vault that receives the connection string (the access key never leaves this module otherwise).')
param vaultName string

resource cache 'Microsoft.Cache/redisEnterprise@2026-09-01' = {
  name: name
  location: location
  sku: {
    name: skuName
  }
  properties: {
    minimumTlsVersion: '1.2'
    highAvailability: 'Enabled'
    publicNetworkAccess: 'Disabled'
  }
}

resource database 'Microsoft.Cache/redisEnterprise/databases@2026-09-01' = {
  parent: cache
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: 10000
    // One endpoint that behaves like a single non-cluster server for the client.
    clusteringPolicy: 'EnterpriseCluster'
    evictionPolicy: 'NoEviction'
    // The sample authenticates with a key kept in Key Vault; Entra ID authentication needs code in the worker
    // (Microsoft.Azure.StackExchangeRedis), which the sample does not have.
    accessKeysAuthentication: 'Enabled'
    persistence: {
      aofEnabled: true
      aofFrequency: '1s'
    }
  }
}

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: 'privatelink.redis.azure.net'
  location: 'global'
}

resource zoneLink 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
  parent: zone
  name: 'vnet-link'
  location: 'global'
  properties: {
    registrationEnabled: false
    virtualNetwork: {
      id: vnetId
    }
  }
}

resource endpoint 'Microsoft.Network/privateEndpoints@2026-03-01' = {
  name: '${name}-pe'
  location: location
  properties: {
    subnet: {
      id: endpointsSubnetId
    }
    privateLinkServiceConnections: [
      {
        name: 'redis'
        properties: {
          privateLinkServiceId: cache.id
          groupIds: [ 'redisEnterprise' ]
        }
      }
    ]
  }
}

resource zoneGroup 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2026-03-01' = {
  parent: endpoint
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [
      {
        name: 'redis'
        properties: {
          privateDnsZoneId: zone.id
        }
      }
    ]
  }
}

resource vault 'Microsoft.KeyVault/vaults@2026-05-15' existing = {
  name: vaultName
}

resource primarySecret 'Microsoft.KeyVault/vaults/secrets@2026-05-15' = {
  parent: vault
  name: 'ryw-redis-primary'
  properties: {
    value: '${cache.properties.hostName}:${database.properties.port},password=${database.listKeys().primaryKey},ssl=true,abortConnect=false,connectTimeout=5000'
    contentType: 'StackExchange.Redis configuration'
  }
  dependsOn: [
    zoneGroup
  ]
}

@description('Versionless URI of the primary connection string.')
output primaryUri string = primarySecret.properties.secretUri

@description('Host name of the cache (resolves to the private endpoint inside the VNet).')
output hostName string = cache.properties.hostName
