(jest, fetchModule, setGlobalFetch) => {
  'use strict';
  // jest-fetch-mock (v3): a jest.fn() standing in for fetch, answering with node-fetch Responses.
  const { Response, Request } = fetchModule;
  const abortError = () => {
    const error = new Error('The operation was aborted. ');
    error.name = 'AbortError';
    return error;
  };
  const isFunction = (value) => typeof value === 'function';

  // A response from a body (or {body, status, statusText, headers, url}) and an init.
  const responseOf = (answer, init, url) => {
    if (typeof answer === 'string') return new Response(answer, { url, ...init });
    const { body = '', ...rest } = answer || {};
    return new Response(body, { url, ...init, ...rest });
  };
  const respond = (bodyOrFunction, init) => (input, requestInit) => {
    const request = new Request(input, requestInit);
    if (request.signal && request.signal.aborted) return Promise.reject(abortError());
    if (!isFunction(bodyOrFunction)) return Promise.resolve(responseOf(bodyOrFunction, init, request.url));
    return Promise.resolve(bodyOrFunction(request)).then((answer) => {
      if (request.signal && request.signal.aborted) throw abortError();
      return responseOf(answer, init, request.url);
    });
  };
  const reject = (errorOrFunction) => () => Promise.reject(isFunction(errorOrFunction) ? errorOrFunction() : errorOrFunction);

  const defaultResponse = respond('');
  const fetchMock = jest.fn(defaultResponse);
  const isMocking = jest.fn(() => true);
  // Whether a call is mocked or goes to the real fetch, by URL (a string, RegExp or predicate of the Request).
  const matches = (urlOrPredicate, input, requestInit) => {
    const request = new Request(input, requestInit);
    if (isFunction(urlOrPredicate)) return Boolean(urlOrPredicate(request));
    if (urlOrPredicate instanceof RegExp) return urlOrPredicate.test(request.url);
    return request.url === String(urlOrPredicate) || request.url === new Request(String(urlOrPredicate)).url;
  };

  const realFetch = fetchModule;
  const mockedOrReal = (implementation) => (input, requestInit) =>
    (isMocking(input, requestInit) ? implementation(input, requestInit) : realFetch(input, requestInit));

  Object.assign(fetchMock, {
    mockResponse: (bodyOrFunction, init) => fetchMock.mockImplementation(mockedOrReal(respond(bodyOrFunction, init))),
    mockResponseOnce: (bodyOrFunction, init) => fetchMock.mockImplementationOnce(mockedOrReal(respond(bodyOrFunction, init))),
    mockResponses: (...responses) => {
      for (const response of responses) {
        const [body, init] = Array.isArray(response) ? response : [response];
        fetchMock.mockImplementationOnce(mockedOrReal(respond(body, init)));
      }
      return fetchMock;
    },
    mockReject: (errorOrFunction) => fetchMock.mockImplementation(reject(errorOrFunction)),
    mockRejectOnce: (errorOrFunction) => fetchMock.mockImplementationOnce(reject(errorOrFunction)),
    mockAbort: () => fetchMock.mockImplementation(() => Promise.reject(abortError())),
    mockAbortOnce: () => fetchMock.mockImplementationOnce(() => Promise.reject(abortError())),
    isMocking,
    doMock: (bodyOrFunction, init) => {
      isMocking.mockImplementation(() => true);
      if (bodyOrFunction !== undefined) fetchMock.mockResponse(bodyOrFunction, init);
      return fetchMock;
    },
    dontMock: () => {
      isMocking.mockImplementation(() => false);
      return fetchMock;
    },
    doMockIf: (urlOrPredicate, bodyOrFunction, init) => {
      isMocking.mockImplementation((input, requestInit) => matches(urlOrPredicate, input, requestInit));
      if (bodyOrFunction !== undefined) fetchMock.mockResponse(bodyOrFunction, init);
      return fetchMock;
    },
    dontMockIf: (urlOrPredicate, bodyOrFunction, init) => {
      isMocking.mockImplementation((input, requestInit) => !matches(urlOrPredicate, input, requestInit));
      if (bodyOrFunction !== undefined) fetchMock.mockResponse(bodyOrFunction, init);
      return fetchMock;
    },
    resetMocks: () => {
      fetchMock.mockReset();
      isMocking.mockReset();
      fetchMock.mockImplementation(defaultResponse);
      isMocking.mockImplementation(() => true);
    },
    // Makes the global fetch, and node-fetch for what requires it from now on, this mock.
    enableMocks: () => {
      setGlobalFetch(fetchMock);
      globalThis.fetchMock = fetchMock;
      jest.setMock('node-fetch', fetchMock);
    },
    disableMocks: () => {
      setGlobalFetch(undefined);
      delete globalThis.fetchMock;
      jest.dontMock('node-fetch');
    },
  });
  fetchMock.mockIf = fetchMock.doMockIf;
  fetchMock.once = fetchMock.mockResponseOnce;
  fetchMock.enableFetchMocks = fetchMock.enableMocks;
  fetchMock.disableFetchMocks = fetchMock.disableMocks;
  fetchMock.default = fetchMock;
  return fetchMock;
}
