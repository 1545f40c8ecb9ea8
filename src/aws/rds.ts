import {
  CreateDBInstanceCommand,
  type CreateDBInstanceCommandInput,
  type DBInstance,
  DescribeDBEngineVersionsCommand,
  DescribeDBInstancesCommand,
  DescribeOrderableDBInstanceOptionsCommand,
  RDSClient,
} from "@aws-sdk/client-rds";
import { type AwsConfig, sdkClientOptions } from "./config.js";
import { awsCaller, awsErrorName } from "./errors.js";

export interface RdsApi {
  findInstance(identifier: string): Promise<DBInstance | undefined>;
  listMysqlInstances(): Promise<DBInstance[]>;
  /** MySQL engine versions the region offers. */
  mysqlVersions(): Promise<string[]>;
  /** Instance classes offered for this MySQL version. */
  mysqlClasses(version: string): Promise<string[]>;
  createInstance(input: CreateDBInstanceCommandInput): Promise<DBInstance>;
}

export function createRdsApi(config: AwsConfig): RdsApi {
  const client = new RDSClient(sdkClientOptions(config));
  const call = awsCaller(config.region);
  const describe = async (identifier?: string) => {
    const instances: DBInstance[] = [];
    let marker: string | undefined;
    do {
      const page = await client.send(
        new DescribeDBInstancesCommand({ DBInstanceIdentifier: identifier, Marker: marker }),
      );
      instances.push(...(page.DBInstances ?? []));
      marker = page.Marker;
    } while (marker);
    return instances;
  };
  return {
    findInstance: (identifier) =>
      call({ action: "rds:DescribeDBInstances" }, async () => {
        try {
          return (await describe(identifier))[0];
        } catch (error) {
          if (
            awsErrorName(error) === "DBInstanceNotFoundFault" ||
            awsErrorName(error) === "DBInstanceNotFound"
          ) {
            return undefined;
          }
          throw error;
        }
      }),

    listMysqlInstances: () =>
      call({ action: "rds:DescribeDBInstances" }, async () =>
        (await describe()).filter((instance) => instance.Engine === "mysql"),
      ),

    mysqlVersions: () =>
      call({ action: "rds:DescribeDBEngineVersions" }, async () => {
        const versions: string[] = [];
        let marker: string | undefined;
        do {
          const page = await client.send(
            new DescribeDBEngineVersionsCommand({ Engine: "mysql", Marker: marker }),
          );
          versions.push(...(page.DBEngineVersions ?? []).flatMap((version) => version.EngineVersion ?? []));
          marker = page.Marker;
        } while (marker);
        return versions;
      }),

    mysqlClasses: (version) =>
      call({ action: "rds:DescribeOrderableDBInstanceOptions" }, async () => {
        const classes = new Set<string>();
        let marker: string | undefined;
        do {
          const page = await client.send(
            new DescribeOrderableDBInstanceOptionsCommand({
              Engine: "mysql",
              EngineVersion: version,
              Marker: marker,
            }),
          );
          for (const option of page.OrderableDBInstanceOptions ?? []) {
            if (option.DBInstanceClass) classes.add(option.DBInstanceClass);
          }
          marker = page.Marker;
        } while (marker);
        return [...classes];
      }),

    createInstance: (input) =>
      call({ action: "rds:CreateDBInstance" }, async () => {
        const output = await client.send(new CreateDBInstanceCommand(input));
        if (!output.DBInstance) throw new Error("RDS returned no DB instance after creating it");
        return output.DBInstance;
      }),
  };
}
