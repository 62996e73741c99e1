// VNet with three subnets and the NSG that locks the Redis subnet to the Function App's subnet.
//   functions  10.40.1.0/24  Flex Consumption VNet integration (outbound of the Function App)
//   redis      10.40.2.0/24  Container Apps environment (internal load balancer + the Redis apps)
//   endpoints  10.40.3.0/26  private endpoints (Azure Managed Redis option)

@description('Azure region.')
param location string

@description('Name prefix.')
param namePrefix string

var functionsPrefix = '10.40.1.0/24'
var redisPrefix = '10.40.2.0/24'
var endpointsPrefix = '10.40.3.0/26'

// Inbound to the Redis subnet: the Function App's subnet, the environment itself (its ingress proxies and the
// replica -> primary links), and the Azure load balancer's probes. Everything else in the VNet is denied
// explicitly (the default rule AllowVnetInBound would let every subnet and peered network in). Destination ports
// are not narrowed: behind the environment's internal load balancer the node ports of TCP apps are not
// documented, and the only listeners in the subnet are the Redis apps.
resource redisNsg 'Microsoft.Network/networkSecurityGroups@2026-03-01' = {
  name: '${namePrefix}-redis-nsg'
  location: location
  properties: {
    securityRules: [
      {
        name: 'allow-functions-subnet'
        properties: {
          priority: 100
          direction: 'Inbound'
          access: 'Allow'
          protocol: 'Tcp'
          sourceAddressPrefix: functionsPrefix
          sourcePortRange: '*'
          destinationAddressPrefix: redisPrefix
          destinationPortRange: '*'
        }
      }
      {
        name: 'allow-environment-internal'
        properties: {
          priority: 110
          direction: 'Inbound'
          access: 'Allow'
          protocol: '*'
          sourceAddressPrefix: redisPrefix
          sourcePortRange: '*'
          destinationAddressPrefix: redisPrefix
          destinationPortRange: '*'
        }
      }
      {
        name: 'allow-azure-load-balancer'
        properties: {
          priority: 120
          direction: 'Inbound'
          access: 'Allow'
          protocol: '*'
          sourceAddressPrefix: 'AzureLoadBalancer'
          sourcePortRange: '*'
          destinationAddressPrefix: redisPrefix
          destinationPortRange: '*'
        }
      }
      {
        name: 'deny-other-vnet-inbound'
        properties: {
          priority: 4000
          direction: 'Inbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: 'VirtualNetwork'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
      {
        name: 'deny-internet-inbound'
        properties: {
          priority: 4010
          direction: 'Inbound'
          access: 'Deny'
          protocol: '*'
          sourceAddressPrefix: 'Internet'
          sourcePortRange: '*'
          destinationAddressPrefix: '*'
          destinationPortRange: '*'
        }
      }
    ]
  }
}

resource vnet 'Microsoft.Network/virtualNetworks@2026-03-01' = {
  name: '${namePrefix}-vnet'
  location: location
  properties: {
    addressSpace: {
      addressPrefixes: [ '10.40.0.0/16' ]
    }
    subnets: [
      {
        // Flex Consumption VNet integration: delegated to Microsoft.App/environments.
        name: 'functions'
        properties: {
          addressPrefix: functionsPrefix
          delegations: [
            {
              name: 'flex'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        // Workload-profiles Container Apps environment: delegated, /27 or larger. The storage service endpoint
        // lets the Redis data share's firewall admit this subnet only.
        name: 'redis'
        properties: {
          addressPrefix: redisPrefix
          networkSecurityGroup: {
            id: redisNsg.id
          }
          serviceEndpoints: [
            {
              service: 'Microsoft.Storage'
            }
          ]
          delegations: [
            {
              name: 'containerapps'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
        }
      }
      {
        name: 'endpoints'
        properties: {
          addressPrefix: endpointsPrefix
          privateEndpointNetworkPolicies: 'Enabled'
        }
      }
    ]
  }
}

@description('VNet resource id (private DNS links).')
output vnetId string = vnet.id

@description('Subnet of the Function App (Flex VNet integration).')
output functionsSubnetId string = vnet.properties.subnets[0].id

@description('Subnet of the Redis Container Apps environment.')
output redisSubnetId string = vnet.properties.subnets[1].id

@description('Subnet for private endpoints.')
output endpointsSubnetId string = vnet.properties.subnets[2].id

@description('Address prefix of the functions subnet (the only VNet source the Redis NSG admits).')
output functionsSubnetPrefix string = functionsPrefix
