// Private DNS for an internal Container Apps environment: *.<defaultDomain> -> the environment's static IP, linked
// to the VNet so the Function App resolves the Redis apps. A module because the zone name is only known once the
// environment exists (resource names in the parent template must be known when the deployment starts).

@description('The environment default domain (zone name).')
param zoneName string

@description('The environment static IP.')
param staticIp string

@description('The VNet to link.')
param vnetId string

resource zone 'Microsoft.Network/privateDnsZones@2024-06-01' = {
  name: zoneName
  location: 'global'
}

resource wildcard 'Microsoft.Network/privateDnsZones/A@2024-06-01' = {
  parent: zone
  name: '*'
  properties: {
    ttl: 300
    aRecords: [
      {
        ipv4Address: staticIp
      }
    ]
  }
}

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
