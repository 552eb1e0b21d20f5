import { GetFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';

type Config = { UpdateRuntimeOn: string; RuntimeVersionArn?: string };

function apiError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: status } });
}

/**
 * moto answers Get/PutRuntimeManagementConfig with 404. This adds the two calls to a client that
 * is otherwise real, with Lambda's rules: the function must exist in the emulator (checked there),
 * Manual needs a RuntimeVersionArn and the other modes refuse one. Returns the state, by name.
 */
export function stubRuntimeManagement(client: LambdaClient): Map<string, Config> {
  const state = new Map<string, Config>();
  const exists = async (name: string): Promise<string> => (await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).FunctionName!;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { FunctionName: string; UpdateRuntimeOn?: string; RuntimeVersionArn?: string };
      if (context.commandName === 'GetRuntimeManagementConfigCommand') {
        const name = await exists(input.FunctionName);
        return { output: { $metadata: {}, UpdateRuntimeOn: 'Auto', ...state.get(name) }, response: {} } as never;
      }
      if (context.commandName === 'PutRuntimeManagementConfigCommand') {
        const name = await exists(input.FunctionName);
        const mode = input.UpdateRuntimeOn;
        if (mode !== 'Auto' && mode !== 'FunctionUpdate' && mode !== 'Manual') throw apiError('ValidationException', `Value '${mode}' at 'updateRuntimeOn' failed to satisfy constraint`, 400);
        if ((mode === 'Manual') !== (input.RuntimeVersionArn !== undefined)) {
          throw apiError('InvalidParameterValueException', mode === 'Manual' ? 'RuntimeVersionArn is required with Manual' : `RuntimeVersionArn is not allowed with ${mode}`, 400);
        }
        state.set(name, { UpdateRuntimeOn: mode, ...(input.RuntimeVersionArn && { RuntimeVersionArn: input.RuntimeVersionArn }) });
        return { output: { $metadata: {}, UpdateRuntimeOn: mode, RuntimeVersionArn: input.RuntimeVersionArn }, response: {} } as never;
      }
      return next(args);
    },
    { step: 'initialize', name: 'moto-lacks-runtime-management-config' },
  );
  return state;
}
