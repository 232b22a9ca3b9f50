// The Log Analytics workspace, as a raw resource so that checkov (and tests/unit/infra) see its
// settings: local authentication off, so only Entra identities read or write it.

param name string
param location string = resourceGroup().location
param tags object = {}

@description('Days the workspace keeps the logs.')
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true // no shared keys: agents and queries use Entra identities
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

output resourceId string = workspace.id
output name string = workspace.name
