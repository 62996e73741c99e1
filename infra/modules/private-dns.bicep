// Private DNS for the Redis apps: <zone> holds one A record per node, all pointing at the Container Apps
// environment's internal load balancer, linked to the VNet so the Function App resolves them. A TCP app is
// selected by its exposed port (unique in the environment), not by host name, so the names only have to reach
// the load balancer; a zone we name ourselves keeps them known before deployment (what-if, Key Vault secrets).

@description('Zone name, e.g. rywsample.redis.internal.')
param zoneName string

@description('Record names (primary, replica-0, ...).')
param records array

@description('Static IP of the environment\'s internal load balancer.')
param staticIp string

@description('The VNet to link.')
param vnetId string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: zoneName
  location: 'global'
}

resource aRecords 'Microsoft.Network/privateDnsZones/A@2024-06-01' = [for record in records: {
  parent: zone
  name: record
  properties: {
    ttl: 300
    aRecords: [
      {
        ipv4Address: staticIp
      }
    ]
  }
}]

resource link 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = {
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
