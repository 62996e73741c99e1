using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using ServerlessRyw.Azure.Functions.Worker;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.UseReadYourWrites(); // binds the "ServerlessRyw" app settings: Primary, Replicas, Mode, WaitBudget, ...
builder.Build().Run();
